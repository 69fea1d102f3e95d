# R `survey` on the benchmark edition: raking on 2 margins, then 400 indicators overall and by
# breakdown with calibrated SE. Usage: Rscript bench/stats/bench.R [breakdowns]
# (default: all four; each breakdown is one svyby call per denominator over all its indicators).
suppressPackageStartupMessages({library(survey); library(data.table)})
args <- commandArgs(trailingOnly = TRUE)
breakdowns <- if (length(args)) strsplit(args[1], ",")[[1]] else c("kd_size", "region_group", "opsn", "kind")
data_dir <- "bench/stats/.data"
d <- as.data.frame(fread(file.path(data_dir, "edition.csv"),
                         colClasses = list(character = c("code", "region_group", "opsn"))))
tot <- read.csv(file.path(data_dir, "totals.csv"), colClasses = c(category = "character"))
for (m in c("kd_size", "region_group")) d[[m]] <- factor(d[[m]], levels = tot$category[tot$margin == m])
pop <- c(`(Intercept)` = nrow(d))
for (m in c("kd_size", "region_group")) {
  t <- tot[tot$margin == m, ]
  pop <- c(pop, setNames(t$total[-1], paste0(m, t$category[-1])))
}
names_all <- grep("^[bc][0-9]", names(d), value = TRUE)
groups <- list(all = grep("^b", names_all, value = TRUE),
               asked1 = grep("^c(0|1|2[0-4])", grep("^c", names_all, value = TRUE), value = TRUE))
groups$asked2 <- setdiff(grep("^c", names_all, value = TRUE), groups$asked1)
timing <- list()
cpu <- list()
clock <- function() { p <- proc.time(); c(p[["elapsed"]], p[["user.self"]] + p[["sys.self"]]) }
t0 <- clock()
des <- calibrate(svydesign(ids = ~1, weights = ~base_weight, data = d), ~kd_size + region_group,
                 pop, calfun = "raking", epsilon = 1e-12, maxit = 200)
d0 <- clock() - t0; timing$calibrate <- d0[1]; cpu$calibrate <- d0[2]
subsets <- list(all = des, asked1 = subset(des, asked1 == 1), asked2 = subset(des, asked2 == 1))
rows <- list()
t0 <- clock()
for (g in names(groups)) {
  f <- as.formula(paste("~", paste(groups[[g]], collapse = "+")))
  m <- svymean(f, subsets[[g]])
  rows[[length(rows) + 1]] <- data.frame(indicator = names(coef(m)), domain = "ensemble",
                                         level = "ensemble", estimate = coef(m), se = SE(m))
}
d0 <- clock() - t0; timing$overall <- d0[1]; cpu$overall <- d0[2]
for (b in breakdowns) {
  t0 <- clock()
  for (g in names(groups)) {
    f <- as.formula(paste("~", paste(groups[[g]], collapse = "+")))
    m <- svyby(f, as.formula(paste0("~", b)), subsets[[g]], svymean)
    v <- groups[[g]]
    est <- as.matrix(as.data.frame(m)[, v]); se <- as.matrix(as.data.frame(m)[, paste0("se.", v)])
    rows[[length(rows) + 1]] <- data.frame(indicator = rep(v, each = nrow(m)), domain = b,
                                           level = rep(as.character(m[[b]]), length(v)),
                                           estimate = as.vector(est), se = as.vector(se))
  }
  d0 <- clock() - t0; timing[[b]] <- d0[1]; cpu[[b]] <- d0[2]
}
fwrite(rbindlist(rows), file.path(data_dir, "r_estimates.csv"))
fmt <- function(x) paste0("{", paste0('"', names(x), '": ', round(unlist(x), 3), collapse = ", "), "}")
cat(paste0('{"tool": "R survey ', packageVersion("survey"), '", "seconds": ', fmt(timing), ', "cpu_seconds": ', fmt(cpu), "}\n"))
