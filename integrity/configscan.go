package integrity

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"regexp"
	"strings"
)

// ConfigPolicy tells the configuration scan what is environment-specific.
type ConfigPolicy struct {
	// EnvironmentHosts maps an environment to its hosts; an entry starting with "." matches every
	// host under that domain. Such a host in a deployable unit means the unit only works in one
	// environment: it must come from the environment at deploy time instead.
	EnvironmentHosts map[string][]string
}

// ConfigFile is one configuration file of a deployable unit.
type ConfigFile struct {
	Name string
	Data []byte
}

var (
	hostRE = regexp.MustCompile(`(?i)\b[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+\b`)
	ipv4RE = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	ipv6RE = regexp.MustCompile(`(?i)\b(?:f[cd][0-9a-f]{2}|fe80):[0-9a-f:]*`)
	// secretKeyRE is a key whose value is a credential, in YAML/JSON/.env/.properties forms.
	secretKeyRE = regexp.MustCompile(`(?i)^\s*"?([a-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[a-z0-9_.-]*)"?\s*[:=]\s*(.*)$`)
	// tokenRE matches well-known credential formats wherever they appear.
	tokenRE = regexp.MustCompile(`AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}|xox[abprs]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|://[^/\s:@]+:[^/\s@]+@`)
	// placeholderRE is a value injected at deploy time, which is what externalized means.
	placeholderRE = regexp.MustCompile(`^(?:\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*|\{\{.*\}\}|<[^>]*>|%\([^)]*\)s?|null|~|""|''|)$`)
)

// ScanConfig scans configuration files line by line for values that tie a deployable unit to one
// environment: hosts of an environment, private addresses and credentials. Findings give file
// and line and never the credential itself.
func ScanConfig(artifact string, files []ConfigFile, p ConfigPolicy) Result {
	if len(files) == 0 {
		return fail(CheckConfig, ReasonConfigMissing, fmt.Sprintf("artifact %q: no configuration files to scan", artifact), Details{})
	}
	var creds, hosts, private []string
	for _, f := range files {
		sc := bufio.NewScanner(bytes.NewReader(f.Data))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if isComment(line) {
				continue
			}
			at := fmt.Sprintf("%s:%d", f.Name, n)
			if what := credential(line); what != "" {
				creds = append(creds, at+": "+what)
			}
			for _, h := range hostRE.FindAllString(line, -1) {
				if env := p.environmentOf(h); env != "" {
					hosts = append(hosts, fmt.Sprintf("%s: host %q of environment %q", at, strings.ToLower(h), env))
				}
			}
			for _, a := range append(ipv4RE.FindAllString(line, -1), ipv6RE.FindAllString(line, -1)...) {
				if ip := net.ParseIP(a); ip != nil && (ip.IsPrivate() || ip.IsLinkLocalUnicast()) {
					private = append(private, fmt.Sprintf("%s: private address %s", at, a))
				}
			}
		}
		if err := sc.Err(); err != nil {
			creds = append(creds, fmt.Sprintf("%s: cannot be scanned: %v", f.Name, err))
		}
	}
	all := capFindings(append(append(append([]string{}, hosts...), creds...), private...))
	switch {
	case len(hosts) > 0:
		return fail(CheckConfig, ReasonConfigEnvironmentHost, fmt.Sprintf("artifact %q: configuration hard-codes environment hosts: %s", artifact, hosts[0]), Details{Findings: all})
	case len(creds) > 0:
		return fail(CheckConfig, ReasonConfigCredential, fmt.Sprintf("artifact %q: configuration holds credentials: %s", artifact, creds[0]), Details{Findings: all})
	case len(private) > 0:
		return fail(CheckConfig, ReasonConfigPrivateAddress, fmt.Sprintf("artifact %q: configuration hard-codes private addresses: %s", artifact, private[0]), Details{Findings: all})
	}
	return pass(CheckConfig, fmt.Sprintf("artifact %q: %d configuration file(s) externalized", artifact, len(files)), Details{})
}

func isComment(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "#") || strings.HasPrefix(t, "!") || strings.HasPrefix(t, "//")
}

// credential describes a credential-shaped value on the line, without repeating it.
func credential(line string) string {
	if m := tokenRE.FindString(line); m != "" {
		switch {
		case strings.HasPrefix(m, "://"):
			return "URL with an embedded password"
		case strings.HasPrefix(m, "-----BEGIN"):
			return "private key"
		}
		return "token of a known credential format"
	}
	if m := secretKeyRE.FindStringSubmatch(line); m != nil {
		v := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(m[2]), ","))
		if !placeholderRE.MatchString(v) && !strings.HasPrefix(strings.Trim(v, `"'`), "${") {
			return fmt.Sprintf("literal value for %q", m[1])
		}
	}
	return ""
}

// environmentOf returns the environment a host belongs to, or "".
func (p ConfigPolicy) environmentOf(host string) string {
	h := strings.ToLower(host)
	for _, env := range sortedEnvs(p.EnvironmentHosts) {
		for _, pat := range p.EnvironmentHosts[env] {
			pat = strings.ToLower(pat)
			if h == pat || strings.HasPrefix(pat, ".") && strings.HasSuffix(h, pat) {
				return env
			}
		}
	}
	return ""
}

func sortedEnvs(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
