// Package analysis holds Tollgate's pure health-gate statistics for issue #6:
// the Mann-Whitney U test, the Hodges-Lehmann shift estimate with its
// distribution-free confidence interval, a Kayenta-style canary judge and an
// Argo-Rollouts-style threshold gate.
//
// Everything here is deterministic and free of I/O and clocks: the same input
// gives the same output, so an activity can re-run a judgement on retry and
// record it as evidence. [Judge] spreads metrics over GOMAXPROCS goroutines,
// which is why it belongs in an activity rather than workflow code; results
// never depend on scheduling. Callers fetch the metric series; this package
// only judges them.
//
// # Canary judgement
//
// [Judge] follows Spinnaker Kayenta's NetflixACAJudge: each metric compares
// canary against baseline with a Mann-Whitney U test and a 98 % confidence
// interval on the Hodges-Lehmann shift (canary − baseline). A metric is High
// (or Low) only when the whole interval lies above +Tolerance × |shift| (or
// below −Tolerance × |shift|) and the canary/baseline mean ratio exceeds the
// metric's allowed effect. Scores are the group-weighted percentage of
// passing metrics; pass ≥ 95, marginal ≥ 75, fail otherwise.
//
// Tollgate is stricter than Kayenta where Kayenta is known to mislead:
// a metric without data counts as not passing (Kayenta drops it from the
// denominator), a metric with fewer than [DefaultMinSamples] points yields an
// explicit [VerdictExtendBake] instead of a pass or a fail, and ±Inf or stale
// input is [ClassInconclusive] rather than silently judged.
//
// # Sample size
//
// The documented sample size is 400 points per side; DefaultMinSamples (50)
// is only the floor below which the judge asks to extend the bake. The
// tests simulate log-normal latencies (σ = 0.5 on the log scale, a typical
// request-latency spread), 2,000 seeded runs each:
//   - A/A (canary and baseline from the same distribution, 100 points a
//     side): the judgement fails about 0.4 % of the time, within the
//     required 1 − Confidence + 1.5 points (3.5 % at 98 %);
//   - a 20 % latency increase at 400 points a side is classified High in
//     about 97 % of runs (the test requires ≥ 90 %). At 300 points it is
//     about 90 %, at 100 points only about 30 %.
//
// Kayenta's rule that the interval must clear ±25 % of the shift makes the
// judge conservative: fewer false alarms than the nominal 2 %, at the price
// of needing a few hundred points to see a 20 % shift. With per-request or
// per-pod-per-scrape samples that is minutes of traffic; with one point per
// minute it is hours, so aggregate sensibly. Kayenta recommends canary
// intervals of at least 30 minutes.
//
// # Threshold gate
//
// [EvaluateThreshold] follows Argo Rollouts' AnalysisRun metric assessment:
// measurements are Successful, Failed, Error or Inconclusive against a limit,
// and failureLimit (0), consecutiveErrorLimit (4) and inconclusiveLimit (0)
// decide between Running, Successful, Failed and Inconclusive.
package analysis
