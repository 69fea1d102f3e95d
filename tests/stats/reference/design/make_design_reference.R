# R `survey` reference for the design built from the frame: finite-population correction per
# stratum, census strata, single-respondent strata under every survey.lonely.psu rule, alone and
# with raking. Run from the repository root, after make_design_data.py:
#   Rscript tests/stats/reference/design/make_design_reference.R
# Needs: apt-get install r-cran-survey r-cran-data.table r-cran-mass
suppressPackageStartupMessages(library(survey))
options(digits = 17)
here <- "tests/stats/reference/design"
out <- file.path(here, "r_output")
dir.create(out, showWarnings = FALSE)

read <- function(name) {
  read.csv(file.path(here, name), colClasses = "character", encoding = "UTF-8")
}
prepare <- function(s, pop) {
  pop$cell <- paste(pop$kind_detail, pop$size_class, sep = " × ")
  levels_cell <- sort(unique(pop$cell))
  levels_dep <- sort(unique(pop$departement))
  s$cell <- factor(s$cell, levels = levels_cell)
  pop$cell <- factor(pop$cell, levels = levels_cell)
  s$departement <- factor(s$departement, levels = levels_dep)
  pop$departement <- factor(pop$departement, levels = levels_dep)
  for (v in c("y1", "y2", "n", "N_h")) s[[v]] <- as.numeric(s[[v]])
  s$ensemble <- factor("ensemble")
  list(s = s, pop = pop)
}

rows <- list()
weights_out <- list()
record <- function(dataset, design_name, lonely, des, domains) {
  for (dom in domains) {
    m <- svyby(~y1 + y2 + n, as.formula(paste0("~", dom)), des, svymean, keep.var = TRUE)
    se <- SE(m)
    for (v in c("y1", "y2", "n")) {
      rows[[length(rows) + 1]] <<- data.frame(
        dataset = dataset, design = design_name, lonely = lonely, indicator = v,
        domain = dom, level = as.character(m[[dom]]), estimate = m[[v]],
        se = se[, paste0("se.", v)])
    }
  }
}

# Bretagne: strata = kind_detail × size_class with N_h, raking on strata + département
bzh <- prepare(read("bzh_sample.csv"), read("bzh_population.csv"))
totals <- colSums(model.matrix(~cell + departement, data = bzh$pop))
for (lonely in c("adjust", "certainty", "remove", "average")) {
  options(survey.lonely.psu = lonely)
  d0 <- svydesign(ids = ~1, strata = ~cell, fpc = ~N_h, data = bzh$s)
  d1 <- calibrate(d0, ~cell + departement, totals, calfun = "raking", epsilon = 1e-13, maxit = 500)
  record("bzh", "none", lonely, d0, c("ensemble", "dom", "cell"))
  record("bzh", "raking", lonely, d1, c("ensemble", "dom", "cell", "departement"))
  if (lonely == "adjust") {
    weights_out[[1]] <- data.frame(dataset = "bzh", design = "none", code = bzh$s$code,
                                   weight = weights(d0))
    weights_out[[2]] <- data.frame(dataset = "bzh", design = "raking", code = bzh$s$code,
                                   weight = weights(d1))
  }
}
options(survey.lonely.psu = "fail")
d0 <- svydesign(ids = ~1, strata = ~cell, fpc = ~N_h, data = bzh$s)
failure <- tryCatch({svymean(~y1, d0); "no error"}, error = function(e) conditionMessage(e))

# New Caledonia: every entity responded (census); never fails, even with lonely.psu = "fail"
nc <- prepare(read("nc_sample.csv"), read("nc_population.csv"))
nc_totals <- colSums(model.matrix(~cell, data = nc$pop))
c0 <- svydesign(ids = ~1, strata = ~cell, fpc = ~N_h, data = nc$s)
c1 <- calibrate(c0, ~cell, nc_totals, calfun = "raking", epsilon = 1e-13, maxit = 500)
record("nc", "none", "fail", c0, c("ensemble", "dom"))
record("nc", "raking", "fail", c1, c("ensemble", "dom"))

write.csv(do.call(rbind, rows), file.path(out, "design_estimates.csv"), row.names = FALSE,
          fileEncoding = "UTF-8")
write.csv(do.call(rbind, weights_out), file.path(out, "design_weights.csv"), row.names = FALSE)
writeLines(failure, file.path(out, "lonely_fail.txt"))
cat("R survey", as.character(packageVersion("survey")), "\n",
    file = file.path(out, "VERSION.txt"))
