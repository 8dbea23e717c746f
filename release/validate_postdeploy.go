package release

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// captureNameRE: captured values are referenced as ${NAME} in later steps.
var captureNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// postDeploy checks smoke workflows, the health watch, telemetry readiness, commits and the
// handoff's acknowledgement settings.
func (v *validator) postDeploy() {
	for i, svc := range v.spec.Services {
		for k, c := range svc.Smoke {
			v.smokeSteps(indexPath(indexPath("services", i)+".smoke", k)+".steps", c.Steps)
		}
	}
	for i, c := range v.spec.Commits {
		p := indexPath("commits", i)
		v.required(p+".sha", c.SHA, "the commit's SHA")
		if _, ok := c.At(); !ok {
			v.add(p+".time", "required: when the commit was made, RFC 3339 (2026-11-01T10:00:00Z), for the lead time; got %q", clip(c.Time))
		}
	}
	h := v.spec.Handoff
	v.nonNegative("handoff.remindEvery", h.RemindEvery)
	v.nonNegative("handoff.escalateAfter", h.EscalateAfter)
	if h.EscalateAfter > 0 && h.EscalateTo == "" {
		v.add("handoff.escalateTo", "required with escalateAfter: who is told when nobody acknowledges")
	}
	pd := v.spec.PostDeploy
	if pd == nil {
		return
	}
	if pd.Watch != nil {
		v.watch(*pd.Watch)
	}
	if t := pd.Telemetry; t != nil {
		if t.MinShare < 0 || t.MinShare > 1 {
			v.add("postDeploy.telemetry.minShare", "want a share between 0 and 1, got %g", t.MinShare)
		}
		v.nonNegative("postDeploy.telemetry.wait", t.Wait)
	}
}

func (v *validator) smokeSteps(p string, steps []SmokeStep) {
	captured := map[string]bool{}
	for i, s := range steps {
		sp := indexPath(p, i)
		v.required(sp+".name", s.Name, "a name for the step")
		v.required(sp+".url", s.URL, "a URL, or a path joined to the check's url (/api/orders)")
		if s.Method != "" && !slices.Contains([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead}, s.Method) {
			v.add(sp+".method", "%q is not an HTTP method Tollgate sends: want GET, POST, PUT, PATCH, DELETE or HEAD", clip(s.Method))
		}
		if s.ExpectStatus != 0 && (s.ExpectStatus < 100 || s.ExpectStatus > 599) {
			v.add(sp+".expectStatus", "%d is not an HTTP status: want 100–599", s.ExpectStatus)
		}
		v.nonNegative(sp+".maxLatency", s.MaxLatency)
		for _, ref := range captureRefs(s.URL + " " + s.Body + " " + strings.Join(mapValues(s.Headers), " ")) {
			if !captured[ref] && strings.ToUpper(ref) != ref {
				// Lower-case references can only be captures: environment variables are upper case.
				v.add(sp, "uses ${%s}, which no earlier step captures", ref)
			}
		}
		for j, c := range s.Capture {
			cp := indexPath(sp+".capture", j)
			if !captureNameRE.MatchString(c.Name) {
				v.add(cp+".name", "%q: want letters, digits and '_', starting with a letter", clip(c.Name))
			}
			switch {
			case (c.JSONPath == "") == (c.Regexp == ""):
				v.add(cp, "want exactly one of jsonPath or regexp")
			case c.JSONPath != "" && !strings.HasPrefix(c.JSONPath, "$"):
				v.add(cp+".jsonPath", "%q: want a path starting with $ ($.order.id)", clip(c.JSONPath))
			case c.Regexp != "":
				if re, err := regexp.Compile(c.Regexp); err != nil {
					v.add(cp+".regexp", "does not compile: %v", err)
				} else if re.NumSubexp() < 1 {
					v.add(cp+".regexp", "needs a capturing group: the value is its first group")
				}
			}
			captured[c.Name] = true
		}
	}
}

func (v *validator) watch(w Watch) {
	const p = "postDeploy.watch"
	for _, d := range []struct {
		name string
		d    Duration
	}{{"duration", w.Duration}, {"dense", w.Dense}, {"denseEvery", w.DenseEvery}, {"sparseEvery", w.SparseEvery}, {"baseline", w.Baseline}} {
		v.nonNegative(p+"."+d.name, d.d)
	}
	if w.Consecutive < 0 || w.Window < 0 {
		v.add(p, "consecutive and window must not be negative")
	}
	if w.Alpha < 0 || w.Alpha >= 1 {
		v.add(p+".alpha", "want a significance level between 0 and 1, got %g", w.Alpha)
	}
	if w.OnBreach != "" && w.OnBreach != WatchPause && w.OnBreach != WatchRollback {
		v.add(p+".onBreach", "%q: want pause or rollback", clip(w.OnBreach))
	}
	for _, name := range w.Waves {
		if !slices.ContainsFunc(v.spec.Waves, func(wv Wave) bool { return wv.Name == name }) {
			v.add(p+".waves", "wave %q is not declared in waves", clip(name))
		}
	}
	if len(w.Indicators) == 0 {
		v.add(p+".indicators", "required: at least one key health indicator")
	}
	names := map[string]bool{}
	for i, ind := range w.Indicators {
		ip := indexPath(p+".indicators", i)
		if v.required(ip+".name", ind.Name, "a name for the indicator") && names[ind.Service+"/"+ind.Name] {
			v.add(ip+".name", "duplicate indicator %q for service %q", ind.Name, ind.Service)
		}
		names[ind.Service+"/"+ind.Name] = true
		if v.required(ip+".service", ind.Service, "the service it measures") && !slices.ContainsFunc(v.spec.Services, func(s Service) bool { return s.Name == ind.Service }) {
			v.add(ip+".service", "service %q is not declared in services", clip(ind.Service))
		}
		v.required(ip+".query", ind.Query, "the service-wide PromQL query (its pre-release range is the baseline)")
		if ind.MaxRelative <= 0 && ind.MaxAbsolute == 0 {
			v.add(ip, "want maxRelative (tolerated worsening, 0.2 = 20 %%) or maxAbsolute")
		}
	}
}

var varRefRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

func captureRefs(s string) []string {
	var out []string
	for _, m := range varRefRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
