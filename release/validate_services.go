package release

import (
	"errors"
	"net/url"
	"slices"
)

func (v *validator) services() {
	if len(v.spec.Services) == 0 {
		v.add("services", "at least one service is required")
	}
	first := make(map[string]int)
	for i, svc := range v.spec.Services {
		p := indexPath("services", i)
		if v.required(p+".name", svc.Name, "the service name") {
			if j, dup := first[svc.Name]; dup {
				v.add(p+".name", "duplicate service name %q: already used by services[%d]", svc.Name, j)
			} else {
				first[svc.Name] = i
				if !dnsLabelRE.MatchString(svc.Name) {
					v.add(p+".name", "invalid service name %q: %s", clip(svc.Name), dnsLabelRule)
				}
			}
		}
		v.required(p+".version", svc.Version, "the version being released")
		v.artifact(p+".artifact", svc.Artifact)
		v.required(p+".runbook.deploy", svc.Runbook.Deploy, "the shell command that deploys the service")
		v.required(p+".runbook.rollback", svc.Runbook.Rollback, "the shell command that rolls the service back")
		v.nonNegative(p+".runbook.timeout", svc.Runbook.Timeout)
		v.smokeChecks(p+".smoke", svc.Smoke)
		v.vars(p+".vars", svc.Vars)
	}
}

func (v *validator) artifact(p string, a Artifact) {
	v.required(p+".ref", a.Ref, "where the artifact is, e.g. file:///srv/artifacts/ledger-2.3.0.tar.gz")
	switch {
	case a.Digest == "" && a.Ref != "":
		v.add(p+".digest", "required: pin the artifact with its sha256:<64 hex> digest; the ref %q alone is mutable "+
			"and could deploy something other than what was approved", clip(a.Ref))
	case a.Digest == "":
		v.add(p+".digest", "required: the artifact's sha256:<64 hex> digest")
	case !digestRE.MatchString(a.Digest):
		v.add(p+".digest", "invalid digest %q: want \"sha256:\" followed by 64 lower-case hex digits", clip(a.Digest))
	}
}

func (v *validator) smokeChecks(p string, checks []SmokeCheck) {
	var names []string
	for k, c := range checks {
		cp := indexPath(p, k)
		if v.required(cp+".name", c.Name, "a name for the smoke check") {
			if slices.Contains(names, c.Name) {
				v.add(cp+".name", "duplicate smoke check name %q in this service", c.Name)
			}
			names = append(names, c.Name)
		}
		v.required(cp+".url", c.URL, "the URL to check, e.g. http://127.0.0.1:${PORT}/healthz")
		if c.ExpectStatus != 0 && (c.ExpectStatus < 100 || c.ExpectStatus > 599) {
			v.add(cp+".expectStatus", "%d is not an HTTP status: want 100–599", c.ExpectStatus)
		}
		if c.MaxLatency < 0 {
			v.add(cp+".maxLatency", "must be positive, got %s", c.MaxLatency)
		}
	}
}

// dependencies checks each dependsOn entry, then the graph as a whole for cycles.
func (v *validator) dependencies() {
	var names []string
	for _, svc := range v.spec.Services {
		names = append(names, svc.Name)
	}
	for i, svc := range v.spec.Services {
		var seen []string
		for j, dep := range svc.DependsOn {
			p := indexPath(indexPath("services", i)+".dependsOn", j)
			switch {
			case dep == "":
				v.add(p, "required: the name of a service of this release")
			case dep == svc.Name:
				v.add(p, "service %q cannot depend on itself", dep)
			case slices.Contains(seen, dep):
				v.add(p, "duplicate dependency %q", dep)
			case !slices.Contains(names, dep):
				v.add(p, "unknown service %q%s", clip(dep), didYouMean(dep, names))
			}
			seen = append(seen, dep)
		}
	}
	g, _ := newGraph(v.spec.Services)      // duplicate names are reported above
	for _, cycle := range g.cycles(true) { // a self-dependency is reported above
		// Point at the dependsOn entry that starts the loop, on its first declaration.
		i := slices.IndexFunc(v.spec.Services, func(s Service) bool { return s.Name == cycle[0] })
		j := slices.Index(v.spec.Services[i].DependsOn, cycle[1])
		v.add(indexPath(indexPath("services", i)+".dependsOn", j), "%s", (&CycleError{Cycle: cycle}).Error())
	}
}

// smokeURLs checks that every variable a smoke URL references is set in every environment, and
// that the URL expands to http or https there: a typo must fail at validation, not in production.
func (v *validator) smokeURLs() {
	for i, svc := range v.spec.Services {
		for k, c := range svc.Smoke {
			if c.URL == "" {
				continue
			}
			p := indexPath(indexPath("services", i)+".smoke", k) + ".url"
			badScheme := false
			for _, env := range v.spec.Environments {
				vars := StepVars(v.spec.Metadata.ID, svc, env)
				expanded, err := Expand(c.URL, vars)
				var unknown *UnknownVarsError
				if errors.As(err, &unknown) {
					known := sortedKeys(vars)
					for _, name := range unknown.Names {
						v.add(p, "variable %q is not set in environment %q%s", clip(name), env.Name, didYouMean(name, known))
					}
					continue
				}
				if !badScheme && !httpURL(expanded) {
					badScheme = true // once per check: every environment usually agrees
					v.add(p, "want an http or https URL with a host; in environment %q it expands to %q", env.Name, clip(expanded))
				}
			}
		}
	}
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
