# Replicate-weight variance: R `survey` reference (as.svrepdesign JK1/JKn, bootstrap factors given
# through svrepdesign(repweights = …), re-calibration by raking and post-stratification, domains,
# lonely strata). Run from the repository root, after make_replicates.py:
#   Rscript tests/stats/reference/make_replicates.R
# Needs: apt-get install r-cran-survey r-cran-mass
suppressPackageStartupMessages(library(survey))
options(digits = 17)
here <- "tests/stats/reference"
out <- file.path(here, "r_output")

pop_vector <- function(tot, margins) {
  first <- tot[tot$margin == margins[1], ]
  v <- c(`(Intercept)` = sum(first$total))
  for (m in margins) {
    t <- tot[tot$margin == m, ]
    v <- c(v, setNames(t$total[-1], paste0(m, t$category[-1])))
  }
  v
}
rake <- function(des, formula, tot, margins) {
  calibrate(des, formula, pop_vector(tot, margins), calfun = "raking", epsilon = 1e-13, maxit = 500,
            compress = FALSE)
}
boot_scale <- function(strata, replicates) {
  pps <- 1 / mean(1 / table(strata))
  pps / ((pps - 1) * (replicates - 1))
}
ours <- function(d, name, strata) {
  f <- as.matrix(read.csv(file.path(here, paste0("bootstrap_factors_", name, ".csv"))))
  svrepdesign(data = d, repweights = f, weights = ~w, type = "bootstrap",
              combined.weights = FALSE, scale = boot_scale(strata, ncol(f)),
              rscales = rep(1, ncol(f)), mse = FALSE)
}

# R `degf` of a replicate design, leaving out the replicates whose re-calibration failed (NaN
# weights: a margin category empty in that replicate), as svrVar leaves them out of the variance
dof <- function(des) {
  w <- weights(des, "analysis")
  qr(w[, colSums(!is.finite(w)) == 0], tol = 1e-05)$rank - 1
}
failed <- function(des) sum(colSums(!is.finite(weights(des, "analysis"))) > 0)

rows <- list()
keep <- function(dataset, variance, calibration, lonely, des, domain) {
  m <- suppressWarnings(svymean(~y1 + y2 + y3, des))
  rows[[length(rows) + 1]] <<- data.frame(
    dataset = dataset, variance = variance, calibration = calibration, lonely = lonely,
    indicator = names(coef(m)), domain = "ensemble", level = "ensemble",
    estimate = as.numeric(coef(m)), se = as.numeric(SE(m)), degf = dof(des), failed = failed(des))
  by <- suppressWarnings(svyby(~y1 + y2 + y3, as.formula(paste0("~", domain)), des, svymean))
  se <- as.matrix(SE(by))
  colnames(se) <- c("y1", "y2", "y3")
  for (v in c("y1", "y2", "y3")) {
    rows[[length(rows) + 1]] <<- data.frame(
      dataset = dataset, variance = variance, calibration = calibration, lonely = lonely,
      indicator = v, domain = domain, level = as.character(by[[domain]]), estimate = by[[v]],
      se = se[, v], degf = dof(des), failed = failed(des))
  }
}

# tiny: unstratified, raking on kind + big (no post-stratification: a kind × big cell has one
# respondent, so its jackknife replicate cannot be post-stratified and R stops)
tiny <- read.csv(file.path(here, "tiny.csv"), colClasses = c(code = "character"))
ttot <- read.csv(file.path(here, "tiny_totals.csv"), colClasses = c(category = "character"))
for (m in c("kind", "big")) tiny[[m]] <- factor(tiny[[m]], levels = ttot$category[ttot$margin == m])
d0 <- svydesign(ids = ~1, weights = ~w, data = tiny)
for (variance in c("JK1", "bootstrap")) {
  rep <- if (variance == "JK1") as.svrepdesign(d0, type = "JK1") else ours(tiny, "tiny", rep(1, nrow(tiny)))
  keep("tiny", variance, "none", "", rep, "kind")
  keep("tiny", variance, "raking", "", rake(rep, ~kind + big, ttot, c("kind", "big")), "kind")
}

# strat: stratified by kd_size with fpc (epci_CU fully enumerated), raking on opsn + rg3 and
# post-stratification on opsn × rg3 (cell totals in strat_cells.csv)
all <- read.csv(file.path(here, "strat.csv"), colClasses = c(code = "character"))
stot <- read.csv(file.path(here, "strat_totals.csv"), colClasses = c(category = "character"))
for (m in c("opsn", "rg3")) all[[m]] <- factor(as.character(all[[m]]), levels = stot$category[stot$margin == m])
strat <- all[all$extra == 0, ]
strat$cell <- interaction(strat$opsn, strat$rg3, sep = " × ")
cells <- read.csv(file.path(here, "strat_cells.csv"), colClasses = c(category = "character"))
s0 <- svydesign(ids = ~1, strata = ~kd_size, fpc = ~N_h, weights = ~w, data = strat)
jkn <- as.svrepdesign(s0, type = "JKn")
write.csv(data.frame(rscales = jkn$rscales, scale = jkn$scale),
          file.path(out, "replicates_jkn_scales.csv"), row.names = FALSE)
for (variance in c("JKn", "bootstrap")) {
  rep <- if (variance == "JKn") jkn else ours(strat, "strat", strat$kd_size)
  keep("strat", variance, "none", "", rep, "dom")
  keep("strat", variance, "raking", "", rake(rep, ~opsn + rg3, stot, c("opsn", "rg3")), "dom")
  keep("strat", variance, "poststrat", "",
       postStratify(rep, ~cell, data.frame(cell = cells$category, Freq = cells$total),
                    compress = FALSE), "dom")
}

# lonely stratum (the only epci_CA respondent): every survey.lonely.psu option of jknweights
s1 <- svydesign(ids = ~1, strata = ~kd_size, fpc = ~N_h, weights = ~w, data = all)
for (lonely in c("remove", "certainty", "average", "adjust")) {
  options(survey.lonely.psu = lonely)
  rep <- as.svrepdesign(s1, type = "JKn")
  keep("strat_lonely", "JKn", "none", lonely, rep, "dom")
}
options(survey.lonely.psu = "fail")

write.csv(do.call(rbind, rows), file.path(out, "replicates_reference.csv"), row.names = FALSE)
