# Reference results from R `survey` for barometre.stats tests.
# Run from the repository root: Rscript tests/stats/reference/make_reference.R
# Needs: apt-get install r-cran-survey r-cran-data.table r-cran-mass
suppressPackageStartupMessages(library(survey))
options(digits = 17)
here <- "tests/stats/reference"
out <- file.path(here, "r_output")
dir.create(out, showWarnings = FALSE)

read <- function(name) {
  con <- if (grepl("\\.gz$", name)) gzfile(file.path(here, name)) else file.path(here, name)
  read.csv(con, colClasses = c(code = "character", region_group = "character"))
}
totals_of <- function(file) {
  t <- read.csv(file.path(here, file), colClasses = c(category = "character"))
  t
}
as_factors <- function(d, tot, margins) {
  for (m in margins) d[[m]] <- factor(as.character(d[[m]]), levels = tot$category[tot$margin == m])
  d
}
pop_vector <- function(tot, margins) {
  first <- tot[tot$margin == margins[1], ]
  v <- c(`(Intercept)` = sum(first$total))
  for (m in margins) {
    t <- tot[tot$margin == m, ]
    v <- c(v, setNames(t$total[-1], paste0(m, t$category[-1])))
  }
  v
}
add_indicators <- function(d) {
  for (lev in c("oui", "en_cours", "non", "nsp")) d[[paste0("q5_", lev)]] <- as.numeric(d$q5 == lev)
  for (lev in 0:4) d[[paste0("m6_", lev)]] <- as.numeric(d$m6 == lev)
  d$ensemble <- factor("ensemble")
  d
}

binary <- c("y1", "y2", "y3", "y4", "q5_oui", "q5_en_cours", "q5_non", "q5_nsp",
            paste0("m6_", 0:4))
estimates <- list()
weights_out <- list()
contrasts <- list()

run <- function(dataset, method, des, domains) {
  weights_out[[paste(dataset, method)]] <<- data.frame(
    dataset = dataset, method = method, code = des$variables$code, weight = weights(des))
  rows <- list()
  asked <- subset(des, asked8 == 1)
  for (dom in domains) {
    f <- as.formula(paste0("~", dom))
    for (v in c(binary, "y8", "n7", "m6")) {
      d <- if (v == "y8") asked else des
      vf <- as.formula(paste0("~", v))
      m <- svyby(vf, f, d, svymean, keep.var = TRUE)
      ci <- if (v %in% c("n7", "m6")) {
        cbind(NA, NA)
      } else {
        p <- svyby(vf, f, d, svyciprop, vartype = "ci", method = "logit")
        cbind(p$ci_l, p$ci_u)
      }
      kg <- cbind(rep(NA, nrow(m)), rep(NA, nrow(m)))
      if (dom == "ensemble" && !(v %in% c("n7", "m6"))) {
        b <- svyciprop(vf, d, method = "beta")
        kg <- matrix(as.numeric(attr(b, "ci")), nrow = 1)
      }
      rows[[length(rows) + 1]] <- data.frame(
        dataset = dataset, method = method, indicator = v, domain = dom,
        level = as.character(m[[dom]]), estimate = m[[v]], se = SE(m),
        ci_low = ci[, 1], ci_high = ci[, 2], df = degf(d),
        kg_low = kg[, 1], kg_high = kg[, 2])
    }
  }
  estimates[[paste(dataset, method)]] <<- do.call(rbind, rows)
  pair <- svymean(~y1 + y2, des)
  ct <- svycontrast(pair, c(y1 = -1, y2 = 1))
  contrasts[[paste(dataset, method)]] <<- data.frame(
    dataset = dataset, method = method, contrast = "y2-y1",
    estimate = as.numeric(coef(ct)), se = as.numeric(SE(ct)))
}

# tiny (n = 39): no strata, raking and post-stratification on 2 × 2 margins
tiny_tot <- totals_of("tiny_totals.csv")
tiny <- add_indicators(as_factors(read("tiny.csv"), tiny_tot, c("kind", "big")))
d0 <- svydesign(ids = ~1, weights = ~w, data = tiny)
run("tiny", "none", d0, c("ensemble", "kind"))
run("tiny", "raking", calibrate(d0, ~kind + big, pop_vector(tiny_tot, c("kind", "big")),
                                 calfun = "raking", epsilon = 1e-13, maxit = 500), c("ensemble", "kind"))
tiny$cell <- interaction(tiny$kind, tiny$big, sep = " × ")
d0c <- svydesign(ids = ~1, weights = ~w, data = tiny)
cell_tot <- read.csv(file.path(here, "tiny_cells.csv"), colClasses = c(category = "character"))
ps <- postStratify(d0c, ~cell, data.frame(cell = cell_tot$category, Freq = cell_tot$total))
run("tiny", "poststrat", ps, c("ensemble", "kind"))

# replicate weights on tiny: JK1 and bootstrap (factors exported so Python can reuse them)
set.seed(2026)
for (type in c("JK1", "bootstrap")) {
  rep <- if (type == "JK1") as.svrepdesign(d0, type = "JK1") else
    as.svrepdesign(d0, type = "bootstrap", replicates = 50)
  repc <- calibrate(rep, ~kind + big, pop_vector(tiny_tot, c("kind", "big")), calfun = "raking",
                    epsilon = 1e-13, maxit = 500)
  m <- svymean(~y1 + y2 + y3, repc)
  write.csv(data.frame(indicator = names(coef(m)), estimate = as.numeric(coef(m)),
                       se = as.numeric(SE(m)), scale = rep$scale, mse = rep$mse),
            file.path(out, paste0("replicates_", type, ".csv")), row.names = FALSE)
  write.csv(as.matrix(rep$repweights), file.path(out, paste0("repfactors_", type, ".csv")),
            row.names = FALSE)
  if (type == "JK1") write.csv(data.frame(rscales = rep$rscales),
                               file.path(out, "rscales_JK1.csv"), row.names = FALSE)
}

# medium (n ≈ 3,000, OPSN-biased): raking, linear, logit with bounds
ftot <- totals_of("frame_totals.csv")
medium <- add_indicators(as_factors(read("medium.csv"), ftot, c("kd_size", "region_group")))
medium$opsn <- factor(medium$opsn)
m0 <- svydesign(ids = ~1, weights = ~w, data = medium)
mar <- c("kd_size", "region_group")
doms <- c("ensemble", "kd_size", "region_group", "opsn")
run("medium", "raking", calibrate(m0, ~kd_size + region_group, pop_vector(ftot, mar),
                                   calfun = "raking", epsilon = 1e-13, maxit = 500), doms)
run("medium", "linear", calibrate(m0, ~kd_size + region_group, pop_vector(ftot, mar),
                                   calfun = "linear"), doms)
run("medium", "logit", calibrate(m0, ~kd_size + region_group, pop_vector(ftot, mar),
                                  calfun = "logit", bounds = c(0.1, 4), epsilon = 1e-13, maxit = 500),
    doms)
quant <- svyquantile(~n7, calibrate(m0, ~kd_size + region_group, pop_vector(ftot, mar),
                                    calfun = "raking", epsilon = 1e-13, maxit = 500),
                     quantiles = 0.5, ci = TRUE, interval.type = "mean", ties = "discrete")
write.csv(data.frame(estimate = coef(quant), se = SE(quant),
                     ci_low = confint(quant)[1], ci_high = confint(quant)[2]),
          file.path(out, "quantile_medium.csv"), row.names = FALSE)

# census-like (stratified by kd_size with fpc, one census stratum): raking on region + opsn
census <- add_indicators(read("census.csv.gz"))
ctot <- ftot
ctot$category[ctot$margin == "opsn"] <- as.character(ctot$category[ctot$margin == "opsn"])
census <- as_factors(census, ctot, c("region_group", "opsn"))
census$kd_size <- factor(census$kd_size)
c0 <- svydesign(ids = ~1, strata = ~kd_size, fpc = ~N_h, weights = ~w, data = census)
run("census", "none", c0, c("ensemble", "region_group"))
run("census", "raking", calibrate(c0, ~region_group + opsn, pop_vector(ctot, c("region_group", "opsn")),
                                   calfun = "raking", epsilon = 1e-13, maxit = 500),
    c("ensemble", "region_group", "kd_size"))

write.csv(do.call(rbind, estimates), file.path(out, "estimates.csv"), row.names = FALSE)
w <- do.call(rbind, weights_out)
write.csv(w, gzfile(file.path(out, "weights.csv.gz")), row.names = FALSE)
write.csv(do.call(rbind, contrasts), file.path(out, "contrasts.csv"), row.names = FALSE)
cat("R survey", as.character(packageVersion("survey")), "\n",
    file = file.path(out, "VERSION.txt"))
