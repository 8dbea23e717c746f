package release

import "slices"

func (v *validator) environments() {
	if len(v.spec.Environments) == 0 {
		v.add("environments", "at least one environment is required")
	}
	var names []string
	for i, env := range v.spec.Environments {
		p := indexPath("environments", i)
		if v.required(p+".name", env.Name, "the environment name") {
			switch {
			case slices.Contains(names, env.Name):
				v.add(p+".name", "duplicate environment name %q", env.Name)
			case !dnsLabelRE.MatchString(env.Name):
				v.add(p+".name", "invalid environment name %q: %s", clip(env.Name), dnsLabelRule)
			}
			names = append(names, env.Name)
		}
		v.required(p+".region", env.Region, "the region the environment runs in")
		v.timeZone(p+".timeZone", env.TimeZone)
		v.vars(p+".vars", env.Vars)
	}
}

func (v *validator) timeZone(p, tz string) {
	switch {
	case tz == "":
		v.add(p, "required: an IANA time zone such as Europe/Berlin or UTC")
	case tz == "Local":
		// time.LoadLocation accepts it, but it means whatever zone the worker's host is in.
		v.add(p, "\"Local\" depends on the worker's host: use an IANA name such as Europe/Berlin or UTC")
	case v.location(tz) != nil:
		v.add(p, "unknown time zone %q: use an IANA name such as Europe/Berlin or UTC", clip(tz))
	}
}

// waves checks that the waves partition the environments: each environment in exactly one wave.
func (v *validator) waves() {
	if len(v.spec.Waves) == 0 {
		v.add("waves", "at least one wave is required")
	}
	var envNames []string
	for _, env := range v.spec.Environments {
		envNames = append(envNames, env.Name)
	}
	var waveNames []string
	inWave := make(map[string]int) // environment → index of the first wave listing it
	for i, w := range v.spec.Waves {
		p := indexPath("waves", i)
		if v.required(p+".name", w.Name, "the wave name") {
			if slices.Contains(waveNames, w.Name) {
				v.add(p+".name", "duplicate wave name %q", w.Name)
			}
			waveNames = append(waveNames, w.Name)
		}
		if len(w.Environments) == 0 {
			v.add(p+".environments", "at least one environment is required")
		}
		for j, name := range w.Environments {
			ep := indexPath(p+".environments", j)
			prev, listed := inWave[name]
			switch {
			case name == "":
				v.add(ep, "required: the name of an environment")
			case !slices.Contains(envNames, name):
				v.add(ep, "unknown environment %q%s", clip(name), didYouMean(name, envNames))
			case listed && prev == i:
				v.add(ep, "environment %q is listed twice in this wave", name)
			case listed:
				v.add(ep, "environment %q is already in wave %q (waves[%d]): an environment belongs to exactly one wave",
					name, v.spec.Waves[prev].Name, prev)
			default:
				inWave[name] = i
			}
		}
	}
	for i, env := range v.spec.Environments {
		if _, ok := inWave[env.Name]; !ok && env.Name != "" && len(v.spec.Waves) > 0 {
			v.add(indexPath("environments", i)+".name", "environment %q is in no wave: add it to a wave or remove it", env.Name)
		}
	}
}
