package release

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// conditionRE is a threshold condition: an operator and a number, e.g. "< 0.01".
var conditionRE = regexp.MustCompile(`^\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$`)

// strategies checks deployment.waveBake, the analysis block and every service's strategy.
func (v *validator) strategies() {
	v.nonNegative("deployment.waveBake", v.spec.Deployment.WaveBake)
	v.analysis(v.spec.Analysis)
	for i, svc := range v.spec.Services {
		p := indexPath("services", i) + ".strategy"
		s := svc.Strategy
		if s == nil {
			continue
		}
		n := 0
		for _, set := range []bool{s.Rolling != nil, s.Canary != nil, s.BlueGreen != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			v.add(p, "set exactly one of rolling, canary or blueGreen, got %d", n)
			continue
		}
		switch {
		case s.Rolling != nil:
			v.rolling(p+".rolling", s.Rolling)
		case s.Canary != nil:
			v.canary(p+".canary", s.Canary)
			v.trafficCommand(p+".commands.weight", s.Commands.Weight, "canary", "sets the canary's traffic weight")
		default:
			v.blueGreen(p+".blueGreen", s.BlueGreen)
			v.trafficCommand(p+".commands.switch", s.Commands.Switch, "blueGreen", "switches traffic to a colour")
		}
		v.trafficCommand(p+".commands.scale", s.Commands.Scale, s.Name(), "starts or stops instances of a version")
	}
}

func (v *validator) trafficCommand(p, cmd, strategy, what string) {
	if cmd == "" {
		v.add(p, "required by the %s strategy: the shell command that %s", strategy, what)
	}
}

func (v *validator) replicas(p string, n int) {
	if n < 1 {
		v.add(p, "must be at least 1, got %d", n)
	}
}

func (v *validator) rolling(p string, r *Rolling) {
	v.replicas(p+".replicas", r.Replicas)
	if r.BatchSize == "" {
		v.add(p+".batchSize", "required: a count such as 2 or a share such as \"25%%\"")
	} else if n, err := r.BatchSize.Resolve(r.Replicas); err != nil {
		v.add(p+".batchSize", "%v", err)
	} else if n < 1 {
		v.add(p+".batchSize", "must resolve to at least 1 instance, got %d", n)
	}
	if r.MaxUnavailable != "" {
		if n, err := r.MaxUnavailable.Resolve(r.Replicas); err != nil {
			v.add(p+".maxUnavailable", "%v", err)
		} else if n < 1 {
			v.add(p+".maxUnavailable", "must resolve to at least 1 instance, or nothing could change, got %d", n)
		}
	}
	v.nonNegative(p+".bake", r.Bake)
	v.templateRef(p+".analysis", r.Analysis)
}

func (v *validator) canary(p string, c *Canary) {
	v.replicas(p+".replicas", c.Replicas)
	if c.CanaryReplicas < 0 {
		v.add(p+".canaryReplicas", "must not be negative, got %d", c.CanaryReplicas)
	}
	if len(c.Steps) == 0 {
		v.add(p+".steps", "at least one step is required")
	}
	last := 0
	for i, st := range c.Steps {
		sp := indexPath(p+".steps", i)
		switch {
		case st.Weight < 1 || st.Weight > 100:
			v.add(sp+".weight", "must be 1–100 (percent of requests), got %d", st.Weight)
		case st.Weight < last:
			v.add(sp+".weight", "weights must not decrease: %d after %d", st.Weight, last)
		}
		last = max(last, st.Weight)
		v.nonNegative(sp+".bake", st.Bake)
		v.templateRef(sp+".analysis", st.Analysis)
		if st.Analysis != "" && st.Bake == 0 {
			v.add(sp+".bake", "required with an analysis: a canary judged without a bake has no samples")
		}
	}
}

func (v *validator) blueGreen(p string, b *BlueGreen) {
	v.replicas(p+".replicas", b.Replicas)
	v.nonNegative(p+".previewBake", b.PreviewBake)
	v.nonNegative(p+".keepOld", b.KeepOld)
	v.templateRef(p+".previewAnalysis", b.PreviewAnalysis)
	v.templateRef(p+".postAnalysis", b.PostAnalysis)
	if b.PostAnalysis != "" && b.KeepOld == 0 {
		v.add(p+".keepOld", "required with postAnalysis: the old colour must outlive the analysis for an instant rollback")
	}
}

// templateRef checks that name, when set, is a template of the analysis block.
func (v *validator) templateRef(p, name string) {
	if name == "" {
		return
	}
	if _, ok := v.spec.Analysis.Template(name); ok {
		return
	}
	var names []string
	if v.spec.Analysis != nil {
		for _, t := range v.spec.Analysis.Templates {
			names = append(names, t.Name)
		}
	}
	v.add(p, "unknown analysis template %q%s", clip(name), didYouMean(name, names))
}

func (v *validator) analysis(a *Analysis) {
	if a == nil {
		return
	}
	v.nonNegative("analysis.interval", a.Interval)
	queries := slices.Clone(BuiltinQueries)
	for _, name := range sortedKeys(a.Queries) {
		if strings.TrimSpace(a.Queries[name]) == "" {
			v.add(fieldPath("analysis.queries", name), "required: a PromQL query template")
		}
		queries = append(queries, name)
	}
	var names []string
	for i, t := range a.Templates {
		p := indexPath("analysis.templates", i)
		if v.required(p+".name", t.Name, "the template name strategies refer to") {
			if slices.Contains(names, t.Name) {
				v.add(p+".name", "duplicate analysis template name %q", t.Name)
			}
			names = append(names, t.Name)
		}
		v.template(p, t, queries)
	}
}

func (v *validator) template(p string, t AnalysisTemplate, queries []string) {
	if len(t.Metrics) == 0 {
		v.add(p+".metrics", "at least one metric is required")
	}
	pass, marginal := t.PassScore, t.MarginalScore
	if pass == 0 {
		pass = 95
	}
	if marginal == 0 {
		marginal = 75
	}
	if !(marginal >= 0 && marginal <= pass && pass <= 100) {
		v.add(p+".passScore", "need 0 ≤ marginalScore (%g) ≤ passScore (%g) ≤ 100", marginal, pass)
	}
	for _, g := range sortedKeys(floatKeys(t.Groups)) {
		if !(t.Groups[g] > 0) {
			v.add(fieldPath(p+".groups", g), "weight must be positive, got %g", t.Groups[g])
		}
	}
	if t.MinSamples < 0 {
		v.add(p+".minSamples", "must not be negative, got %d", t.MinSamples)
	}
	if t.ExtendBakeLimit < 0 {
		v.add(p+".extendBakeLimit", "must not be negative, got %d", t.ExtendBakeLimit)
	}
	var names []string
	for j, m := range t.Metrics {
		mp := indexPath(p+".metrics", j)
		if v.required(mp+".name", m.Name, "the metric name") {
			if slices.Contains(names, m.Name) {
				v.add(mp+".name", "duplicate metric name %q in this template", m.Name)
			}
			names = append(names, m.Name)
		}
		if v.required(mp+".query", m.Query, "a query template name, e.g. error_rate") && !slices.Contains(queries, m.Query) {
			v.add(mp+".query", "unknown query template %q%s", clip(m.Query), didYouMean(m.Query, queries))
		}
		switch m.Direction {
		case "", "increase", "decrease", "either":
		default:
			v.add(mp+".direction", "unknown direction %q: want increase, decrease or either", clip(m.Direction))
		}
		if len(t.Groups) > 0 && m.Threshold == nil {
			if _, ok := t.Groups[m.Group]; !ok {
				v.add(mp+".group", "group %q has no weight in this template's groups", m.Group)
			}
		}
		if m.Tolerance < 0 {
			v.add(mp+".tolerance", "must not be negative, got %g", m.Tolerance)
		}
		if m.EffectLimit != 0 && m.EffectLimit < 1 {
			v.add(mp+".effectLimit", "must be at least 1 (a mean ratio), got %g", m.EffectLimit)
		}
		if m.Threshold != nil {
			v.threshold(mp+".threshold", m.Threshold)
		}
	}
}

func (v *validator) threshold(p string, th *Threshold) {
	if th.Success == "" && th.Failure == "" {
		v.add(p, "set success, failure or both, e.g. success: \"< 0.01\"")
	}
	for _, c := range []struct{ field, cond string }{{"success", th.Success}, {"failure", th.Failure}} {
		if c.cond == "" {
			continue
		}
		if _, _, err := ParseCondition(c.cond); err != nil {
			v.add(p+"."+c.field, "%v", err)
		}
	}
	if th.Count < 0 {
		v.add(p+".count", "must not be negative, got %d", th.Count)
	}
}

// ParseCondition splits a threshold condition such as "< 0.01" into operator and limit.
func ParseCondition(s string) (op string, limit float64, err error) {
	m := conditionRE.FindStringSubmatch(s)
	if m == nil {
		return "", 0, &conditionError{s}
	}
	limit, err = strconv.ParseFloat(m[2], 64)
	if err != nil || limit != limit {
		return "", 0, &conditionError{s}
	}
	return m[1], limit, nil
}

type conditionError struct{ cond string }

func (e *conditionError) Error() string {
	return "invalid condition " + strconv.Quote(clip(e.cond)) + ": want an operator (<, <=, >, >=, ==, !=) and a number, e.g. \"< 0.01\""
}

func floatKeys(m map[string]float64) map[string]string {
	out := make(map[string]string, len(m))
	for k := range m {
		out[k] = ""
	}
	return out
}
