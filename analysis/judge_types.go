package analysis

// Direction says which change of a metric hurts.
type Direction int

const (
	// Either means a significant change in both directions is bad; it is the
	// zero value because Kayenta's default direction is "either".
	Either Direction = iota
	// Increase means only an increase is bad (latency, error rate).
	Increase
	// Decrease means only a decrease is bad (throughput, success rate).
	Decrease
)

// String names the direction for explanations.
func (d Direction) String() string {
	switch d {
	case Increase:
		return "increase"
	case Decrease:
		return "decrease"
	}
	return "either"
}

// Classification is the judgement of one metric. It is a string so it reads
// well in workflow history, logs and evidence packs.
type Classification string

// Metric classifications. Only ClassPass counts towards the score.
const (
	// ClassPass: no harmful shift beyond the tolerance.
	ClassPass Classification = "Pass"
	// ClassHigh: the canary is significantly higher and an increase is bad.
	ClassHigh Classification = "High"
	// ClassLow: the canary is significantly lower and a decrease is bad.
	ClassLow Classification = "Low"
	// ClassNoData: a side has no usable point (no series, empty or all NaN).
	ClassNoData Classification = "NoData"
	// ClassLowConfidence: fewer points than MinSamples (or too few for the
	// confidence interval); waiting longer can resolve it.
	ClassLowConfidence Classification = "LowConfidence"
	// ClassInconclusive: the input cannot be trusted (±Inf, stale, mostly
	// NaN); a human should look at the metric source.
	ClassInconclusive Classification = "Inconclusive"
)

// Verdict is the outcome of a canary judgement.
type Verdict string

// Verdicts, in the vocabulary of Kayenta's score bands plus the two outcomes
// Tollgate adds so that thin or broken data never reads as success or
// failure.
const (
	// VerdictPass: score ≥ PassScore and nothing undecided could change it.
	VerdictPass Verdict = "Pass"
	// VerdictMarginal: MarginalScore ≤ score < PassScore.
	VerdictMarginal Verdict = "Marginal"
	// VerdictFail: score below MarginalScore, a failing critical metric, or
	// at least half of the metrics without data.
	VerdictFail Verdict = "Fail"
	// VerdictExtendBake: some metrics lack samples and their outcome could
	// change the verdict; keep the canary running and judge again.
	VerdictExtendBake Verdict = "ExtendBake"
	// VerdictInconclusive: some metrics have untrustworthy input and their
	// outcome could change the verdict; pause for a human (Argo's
	// Inconclusive).
	VerdictInconclusive Verdict = "Inconclusive"
)

// Metric describes one canary metric and how to judge it.
type Metric struct {
	// Name identifies the metric; it must be unique within a judgement.
	Name string
	// Group selects the weight in Config.Groups (Kayenta metric groups).
	Group string
	// Direction says which change is bad.
	Direction Direction
	// Critical makes a High/Low result fail the whole judgement (score 0),
	// and keeps an undecided result from passing it.
	Critical bool
	// Tolerance is the fraction of |Hodges-Lehmann shift| the confidence
	// interval must clear before the metric is High or Low; 0 means
	// DefaultTolerance (0.25, Kayenta's MannWhitneyClassifier fraction).
	Tolerance float64
	// EffectLimit is the allowed canary/baseline mean ratio: an increase is
	// only bad above EffectLimit, a decrease only below 1/EffectLimit. 0 means
	// DefaultEffectLimit (1.0: any significant change counts, as in Kayenta).
	EffectLimit float64
	// MinSamples overrides Config.MinSamples for this metric when positive.
	MinSamples int
}

// Series holds the observations of one metric, one value per sample (per
// scrape, per pod or per request, as long as both sides use the same unit).
// NaN marks a missing point.
type Series struct {
	Baseline []float64
	Canary   []float64
	// Stale is set by the fetcher when the newest point is older than the
	// judged window: a frozen series says nothing about the canary.
	Stale bool
}

// MetricResult is the judgement of one metric with the numbers behind it.
// Fields that were not computed are zero, never NaN or Inf, so the result
// always encodes as JSON.
type MetricResult struct {
	Name           string
	Group          string
	Critical       bool
	Classification Classification
	// Reason explains the classification in one sentence that names the
	// metric, the estimate, the interval and the tolerance.
	Reason string
	// Estimate is the Hodges-Lehmann shift canary − baseline; Lower and
	// Upper bound its confidence interval.
	Estimate, Lower, Upper float64
	// Tolerance is the absolute tolerance used: Metric.Tolerance × |Estimate|.
	Tolerance float64
	// MeanRatio is mean(canary) / mean(baseline); 0 when undefined
	// (baseline mean ≤ 0).
	MeanRatio float64
	// PValue is the two-sided Mann-Whitney p-value, reported for context;
	// the decision uses the interval, as Kayenta does.
	PValue float64
	// BaselineCount and CanaryCount are the points judged, after dropping
	// NaN and outliers; Missing and Outliers count what was dropped.
	BaselineCount, CanaryCount int
	Missing, Outliers          int
}

// Judgement is the outcome of [Judge].
type Judgement struct {
	Verdict Verdict
	// Score is the group-weighted percentage of passing metrics (0–100),
	// counting every metric that did not pass, including those without data.
	Score float64
	// Reason summarises why the verdict was reached.
	Reason string
	// Metrics holds one result per metric, sorted by group and then name so
	// the output never depends on input or map order.
	Metrics []MetricResult
}
