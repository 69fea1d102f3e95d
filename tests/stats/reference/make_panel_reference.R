# Paired (panel) differences from R `survey`, reference for barometre.stats.evolution.
# Run from the repository root: Rscript tests/stats/reference/make_panel_reference.R
# Needs: apt-get install r-cran-survey r-cran-data.table r-cran-mass
# The current edition is medium.csv (raking or linear calibration, as in make_reference.R); the
# previous answers of the panel are in panel.csv. For each item, d = current - previous, and the
# mean change among respondents with both answers is svymean(~d, subset(design, !is.na(d))):
# a domain estimate on the full calibrated design (R keeps the whole design for the variance).
suppressPackageStartupMessages(library(survey))
options(digits = 17)
here <- "tests/stats/reference"
out <- file.path(here, "r_output")

medium <- read.csv(file.path(here, "medium.csv"),
                   colClasses = c(code = "character", region_group = "character"))
panel <- read.csv(file.path(here, "panel.csv"), colClasses = c(code = "character"))
stopifnot(identical(medium$code, panel$code))
medium$q5_oui <- as.numeric(medium$q5 == "oui")
ftot <- read.csv(file.path(here, "frame_totals.csv"), colClasses = c(category = "character"))
for (m in c("kd_size", "region_group")) {
  medium[[m]] <- factor(as.character(medium[[m]]), levels = ftot$category[ftot$margin == m])
}
medium$opsn <- factor(medium$opsn)
pop <- c(`(Intercept)` = sum(ftot$total[ftot$margin == "kd_size"]))
for (m in c("kd_size", "region_group")) {
  t <- ftot[ftot$margin == m, ]
  pop <- c(pop, setNames(t$total[-1], paste0(m, t$category[-1])))
}
items <- c("y1", "q5_oui", "n7", "y8")
for (v in items) {
  d <- medium[[v]] - panel[[paste0("before_", v)]]
  if (v == "y8") d[medium$asked8 == 0] <- NA  # y8 is asked only where asked8 = 1
  medium[[paste0("in_", v)]] <- !is.na(d)
  d[is.na(d)] <- 0  # outside the domain (weight 0 in the subset); NA would poison the residuals
  medium[[paste0("d_", v)]] <- d
}
m0 <- svydesign(ids = ~1, weights = ~w, data = medium)
rows <- list()
for (method in c("raking", "linear")) {
  des <- calibrate(m0, ~kd_size + region_group, pop, calfun = method, epsilon = 1e-13, maxit = 500)
  for (v in items) {
    dv <- paste0("d_", v)
    inside <- medium[[paste0("in_", v)]]
    sub <- subset(des, inside)
    f <- as.formula(paste0("~", dv))
    whole <- svymean(f, sub)
    rows[[length(rows) + 1]] <- data.frame(
      method = method, item = v, domain = "ensemble", level = "ensemble",
      estimate = as.numeric(coef(whole)), se = as.numeric(SE(whole)),
      n = sum(inside))
    by <- svyby(f, ~opsn, sub, svymean)
    rows[[length(rows) + 1]] <- data.frame(
      method = method, item = v, domain = "opsn", level = as.character(by$opsn),
      estimate = by[[dv]], se = SE(by),
      n = as.numeric(table(medium$opsn[inside])))
  }
}
write.csv(do.call(rbind, rows), file.path(out, "panel_differences.csv"), row.names = FALSE)
