# R `survey` figures on the maturity reference case (run by make_reference.py):
#   Rscript make_reference.R d.csv tot.csv > r_output.json
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c(code = "character", a = "character", b = "character"))
tot <- read.csv(args[2], colClasses = c(category = "character"))
d$a <- factor(d$a, levels = tot$category[tot$margin == "a"])
d$b <- factor(d$b, levels = tot$category[tot$margin == "b"])
pa <- data.frame(a = factor(tot$category[tot$margin == "a"], levels = levels(d$a)),
                 Freq = tot$total[tot$margin == "a"])
pb <- data.frame(b = factor(tot$category[tot$margin == "b"], levels = levels(d$b)),
                 Freq = tot$total[tot$margin == "b"])
des <- rake(svydesign(ids = ~1, weights = ~w0, data = d), list(~a, ~b), list(pa, pb),
            control = list(maxit = 100, epsilon = 1e-12))
m <- svymean(~score, des, na.rm = TRUE)
by <- svyby(~score, ~a, des, svymean, na.rm = TRUE)
lev <- subset(des, !is.na(stage1))
p <- svyciprop(~stage1, lev, method = "logit")
pm <- svymean(~stage1, des, na.rm = TRUE)
cat(jsonlite::toJSON(list(
  mean = as.numeric(coef(m)), se = as.numeric(SE(m)),
  by_levels = as.character(by$a), by_mean = as.numeric(by$score), by_se = as.numeric(SE(by)),
  share = as.numeric(p), share_se = as.numeric(SE(pm)), share_ci = as.numeric(attr(p, "ci"))
), digits = 15))
