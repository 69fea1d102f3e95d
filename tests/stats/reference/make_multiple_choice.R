# Multiple choice « ticked nothing » vs « no answer »: R `survey` reference for barometre.
# Run from the repository root: Rscript tests/stats/reference/make_multiple_choice.R
# Needs: apt-get install r-cran-survey r-cran-mass
# The indicators are derived here from the raw text answers by the documented rule
# (docs/contracts.md, « Multiple choice: ticked nothing »), independently of the Python code:
# an empty multiple-choice cell is « ticked nothing » (in the denominator, every option 0) when the
# question is asked and the respondent reached it: the submission is complete and answered
# something, or it answered a question of the same theme or of a later theme. Otherwise it is
# « sans réponse », like the explicit `nsp`.
suppressPackageStartupMessages(library(survey))
options(digits = 17)
here <- "tests/stats/reference"
out <- file.path(here, "r_output")

themes <- list(equipement = c("site", "outils", "avis_site"), usages = c("canaux", "agents"),
               projets = c("projet", "projet_types"))
options_of <- list(outils = c("cms", "formulaire", "paiement", "rdv"),
                   canaux = c("email", "sms", "courrier", "reseaux"),
                   projet_types = c("dematerialisation", "cyber", "donnees"))
theme_of <- c(outils = 1, canaux = 2, projet_types = 3)
population <- 34969 + 1255  # communes and EPCI of the register (the kinds of the respondents)

derive <- function(d) {
  answered <- function(q) !is.na(d[[q]])
  any_theme <- sapply(themes, function(qs) Reduce(`|`, lapply(qs, answered)))
  asked <- list(outils = !is.na(d$site) & d$site == "oui", canaux = rep(TRUE, nrow(d)),
                projet_types = !is.na(d$projet) & d$projet == "oui")
  complete <- d$status == "complete"
  for (q in names(options_of)) {
    t <- theme_of[[q]]
    reached <- apply(any_theme[, t:3, drop = FALSE], 1, any) | (complete & apply(any_theme, 1, any))
    collected <- any(!is.na(d[[q]]))
    nothing <- asked[[q]] & is.na(d[[q]]) & reached & collected
    value <- ifelse(is.na(d[[q]]), "", d[[q]])
    no_answer <- asked[[q]] & !nothing & (value == "" | value == "nsp")
    d[[paste0("asked_", q)]] <- asked[[q]]
    d[[paste0("answered_", q)]] <- asked[[q]] & !no_answer
    d[[paste0("nothing_", q)]] <- nothing
    for (o in options_of[[q]]) {
      d[[paste0(q, "__", o)]] <- as.numeric(asked[[q]] & sapply(strsplit(value, " "), function(x) o %in% x))
    }
    d[[paste0(q, "__sans_reponse")]] <- as.numeric(no_answer)
  }
  d
}

rows <- list()
counts <- list()
for (dataset in c("national", "web")) {
  d <- read.csv(file.path(here, paste0("multiple_", dataset, ".csv")), colClasses = "character",
                na.strings = "")
  tot <- read.csv(file.path(here, paste0("multiple_", dataset, "_totals.csv")),
                  colClasses = c(category = "character"))
  margins <- unique(tot$margin)
  for (m in margins) d[[m]] <- factor(d[[m]], levels = tot$category[tot$margin == m])
  d <- derive(d)
  d$w <- population / nrow(d)
  pop <- c(`(Intercept)` = population)
  for (m in margins) {
    t <- tot[tot$margin == m, ]
    pop <- c(pop, setNames(t$total[-1], paste0(m, t$category[-1])))
  }
  des <- calibrate(svydesign(ids = ~1, weights = ~w, data = d),
                   as.formula(paste("~", paste(margins, collapse = "+"))), pop,
                   calfun = "raking", epsilon = 1e-13, maxit = 500)
  for (q in names(options_of)) {
    counts[[length(counts) + 1]] <- data.frame(
      dataset = dataset, question = q, asked = sum(d[[paste0("asked_", q)]]),
      nothing_ticked = sum(d[[paste0("nothing_", q)]]),
      sans_reponse = sum(d[[paste0(q, "__sans_reponse")]]))
    for (rule in c("asked", "answered")) {
      mask <- d[[paste0(rule, "_", q)]]
      sub <- subset(des, mask)
      opts <- c(options_of[[q]], if (rule == "asked") "sans_reponse")
      for (o in opts) {
        v <- paste0(q, "__", o)
        f <- as.formula(paste0("~", v))
        m <- svymean(f, sub)
        ci <- suppressWarnings(svyciprop(f, sub, method = "logit"))
        rows[[length(rows) + 1]] <- data.frame(
          dataset = dataset, question = q, option = o, rule = rule, domain = "ensemble",
          level = "ensemble", estimate = as.numeric(coef(m)), se = as.numeric(SE(m)),
          ci_low = attr(ci, "ci")[[1]], ci_high = attr(ci, "ci")[[2]], n = sum(mask))
        by <- svyby(f, ~kind, sub, svymean)
        rows[[length(rows) + 1]] <- data.frame(
          dataset = dataset, question = q, option = o, rule = rule, domain = "kind",
          level = as.character(by$kind), estimate = by[[v]], se = SE(by), ci_low = NA,
          ci_high = NA, n = as.vector(table(d$kind[mask])[as.character(by$kind)]))
      }
    }
  }
}
write.csv(do.call(rbind, rows), file.path(out, "multiple_choice.csv"), row.names = FALSE)
write.csv(do.call(rbind, counts), file.path(out, "multiple_choice_counts.csv"), row.names = FALSE)
