package release

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// ledgerDigest is the digest of services[0] in testdata/valid.yaml.
const ledgerDigest = "sha256:fe14010b4fe83303852f0467c919ef9a7ca089b91e96e3aad7d426dd87079297"

// TestParseReportsSemanticProblems edits testdata/valid.yaml into each bad input and asserts the
// problem's path, its line in the edited file and a fragment of its message. n is the number of
// problems the edit causes in total (default 1), so a case cannot hide a stray problem.
func TestParseReportsSemanticProblems(t *testing.T) {
	valid := validYAML(t)
	tests := []struct {
		name string
		doc  string
		path string
		line int
		frag string
		n    int
	}{
		// metadata
		{"id missing", edit(t, valid, "  id: payments-2026.11.3\n", ""), "metadata.id", 3, "required: the release ID", 0},
		{"id bad", edit(t, valid, "id: payments-2026.11.3", "id: -payments"), "metadata.id", 4, `invalid release ID "-payments"`, 0},
		{"id too long", edit(t, valid, "id: payments-2026.11.3", "id: "+strings.Repeat("a", 129)), "metadata.id", 4, "at most 128", 0},
		{"id with slash", edit(t, valid, "id: payments-2026.11.3", "id: pay/ments"), "metadata.id", 4, "invalid release ID", 0},
		{"title missing", edit(t, valid, "  title: Payments November\n", ""), "metadata.title", 3, "required", 0},
		{"owner missing", edit(t, valid, "  owner: alice\n", ""), "metadata.owner", 3, "required: the release manager", 0},

		// services
		{"no services", cut(t, valid, "services:", "environments:", "services: []\n"), "services", 8, "at least one service", 0},
		{"service name missing", edit(t, valid, "  - name: ui\n    version", "  - version"), "services[2].name", 41, "required: the service name", 0},
		{"service name not a DNS label", edit(t, valid, "name: ui", "name: UI_Web"), "services[2].name", 41, `invalid service name "UI_Web"`, 0},
		{"service name too long", edit(t, valid, "name: ui", "name: "+strings.Repeat("u", 64)), "services[2].name", 41, "at most 63", 0},
		// The duplicate also makes the second "ledger" depend on itself.
		{"service name duplicate", edit(t, valid, "name: ui", "name: ledger"), "services[2].name", 41, `duplicate service name "ledger": already used by services[0]`, 2},
		{"version missing", edit(t, valid, "    version: 4.0.1\n", ""), "services[2].version", 41, "required", 0},
		{"artifact ref missing", edit(t, valid, `ref: "file:///srv/artifacts/ui-4.0.1.tar.gz", `, ""), "services[2].artifact.ref", 44, "required: where the artifact is", 0},
		{"mutable ref without digest", edit(t, valid, "      digest: "+ledgerDigest+"\n", ""), "services[0].artifact.digest", 11, "alone is mutable", 0},
		{"digest upper case", edit(t, valid, ledgerDigest, strings.ToUpper(ledgerDigest)), "services[0].artifact.digest", 13, "64 lower-case hex", 0},
		{"digest wrong algorithm", edit(t, valid, ledgerDigest, "md5:0cc175b9c0f1b6a831c399e269772661"), "services[0].artifact.digest", 13, `invalid digest "md5:`, 0},
		{"digest short", edit(t, valid, ledgerDigest, ledgerDigest[:70]), "services[0].artifact.digest", 13, "invalid digest", 0},
		{"deploy missing", edit(t, valid, "      deploy: ./deploy.sh\n      verify", "      verify"), "services[0].runbook.deploy", 14, "required: the shell command that deploys", 0},
		{"rollback missing", edit(t, valid, "deploy: ./deploy.sh, rollback: ./rollback.sh}", "deploy: ./deploy.sh}"), "services[2].runbook.rollback", 45, "rolls the service back", 0},
		{"runbook timeout negative", edit(t, valid, "timeout: 15m", "timeout: -15m"), "services[1].runbook.timeout", 35, "must not be negative", 0},

		// dependsOn
		{"unknown dependency with suggestion", edit(t, valid, "dependsOn: [ledger]", "dependsOn: [ledgr]"), "services[1].dependsOn[0]", 28, `unknown service "ledgr" (did you mean "ledger"?)`, 0},
		{"unknown dependency by prefix", edit(t, valid, "dependsOn: [ledger]", "dependsOn: [ledger-db]"), "services[1].dependsOn[0]", 28, `(did you mean "ledger"?)`, 0},
		{"unknown dependency without suggestion", edit(t, valid, "dependsOn: [ledger]", "dependsOn: [zzz]"), "services[1].dependsOn[0]", 28, `unknown service "zzz"`, 0},
		{"self dependency", edit(t, valid, "dependsOn: [ledger]", "dependsOn: [payments-api]"), "services[1].dependsOn[0]", 28, `service "payments-api" cannot depend on itself`, 0},
		{"duplicate dependency", edit(t, valid, "dependsOn: [payments-api, ledger]", "dependsOn: [payments-api, ledger, ledger]"), "services[2].dependsOn[2]", 43, `duplicate dependency "ledger"`, 0},
		{"empty dependency", edit(t, valid, "dependsOn: [ledger]", `dependsOn: [""]`), "services[1].dependsOn[0]", 28, "required", 0},
		{"two-service cycle", edit(t, valid, "    version: 2.3.0\n", "    version: 2.3.0\n    dependsOn: [ui]\n"), "services[0].dependsOn[0]", 11, "dependency cycle: ledger → ui → ledger", 0},
		{"three-service cycle", edit(t, valid, "    version: 2.3.0\n", "    version: 2.3.0\n    dependsOn: [ui]\n", "dependsOn: [payments-api, ledger]", "dependsOn: [payments-api]"),
			"services[0].dependsOn[0]", 11, "dependency cycle: ledger → ui → payments-api → ledger", 0},

		// smoke checks
		{"smoke name missing", edit(t, valid, "      - name: health\n        url: http://127.0.0.1:${PORT_BASE}${PORT_SUFFIX}/healthz\n    vars", "      - url: http://127.0.0.1:${PORT_BASE}${PORT_SUFFIX}/healthz\n    vars"), "services[1].smoke[0].name", 37, "required", 0},
		{"smoke name duplicate", edit(t, valid, "    vars:\n      PORT_SUFFIX: \"02\"", "      - {name: health, url: \"http://127.0.0.1/\"}\n    vars:\n      PORT_SUFFIX: \"02\""), "services[1].smoke[1].name", 39, `duplicate smoke check name "health"`, 0},
		{"smoke url missing", edit(t, valid, "        url: http://127.0.0.1:${PORT_BASE}${PORT_SUFFIX}/healthz\n        expectStatus", "        expectStatus"), "services[0].smoke[0].url", 19, "required: the URL", 0},
		{"smoke url not http", edit(t, valid, "url: http://127.0.0.1:${PORT_BASE}${PORT_SUFFIX}/healthz\n        expectStatus", "url: ftp://127.0.0.1:${PORT_BASE}${PORT_SUFFIX}/healthz\n        expectStatus"), "services[0].smoke[0].url", 20, `want an http or https URL with a host; in environment "staging" it expands to "ftp://127.0.0.1:18201/healthz"`, 0},
		{"smoke url only a variable", edit(t, valid, "url: http://127.0.0.1:${PORT_BASE}${PORT_SUFFIX}/healthz\n        expectStatus", "url: ${PORT_SUFFIX}\n        expectStatus"), "services[0].smoke[0].url", 20, `it expands to "01"`, 0},
		{"smoke url variable typo", edit(t, valid, "${PORT_BASE}${PORT_SUFFIX}/healthz\n        expectStatus", "${PORT_BAS}${PORT_SUFFIX}/healthz\n        expectStatus"), "services[0].smoke[0].url", 20, `variable "PORT_BAS" is not set in environment "staging" (did you mean "PORT_BASE"?)`, 2},
		{"smoke url variable missing in one environment", edit(t, valid, "    vars:\n      PORT_BASE: \"183\"\n", ""), "services[1].smoke[0].url", 38, `variable "PORT_BASE" is not set in environment "prod-eu"`, 2},
		{"smoke url $NAME form", edit(t, valid, "${PORT_BASE}${PORT_SUFFIX}/healthz\n        expectStatus", "$PORT/healthz\n        expectStatus"), "services[0].smoke[0].url", 20, `variable "PORT" is not set in environment "prod-eu"`, 2},
		{"expectStatus too high", edit(t, valid, "expectStatus: 200", "expectStatus: 700"), "services[0].smoke[0].expectStatus", 21, "700 is not an HTTP status: want 100–599", 0},
		{"expectStatus too low", edit(t, valid, "expectStatus: 200", "expectStatus: 99"), "services[0].smoke[0].expectStatus", 21, "99 is not an HTTP status", 0},
		{"maxLatency negative", edit(t, valid, "maxLatency: 500ms", "maxLatency: -1s"), "services[0].smoke[0].maxLatency", 23, "must be positive", 0},

		// vars
		{"var name lower case", edit(t, valid, `vars: {PORT_BASE: "182"}`, `vars: {PORT_BASE: "182", port: "1"}`), "environments[0].vars.port", 47, `invalid variable name "port"`, 0},
		{"var name starts with digit", edit(t, valid, `vars: {PORT_BASE: "182"}`, `vars: {PORT_BASE: "182", 9LIVES: "1"}`), "environments[0].vars.9LIVES", 47, "not starting with a digit", 0},
		{"service var shadows builtin", edit(t, valid, "      PORT_SUFFIX: \"01\"\n", "      PORT_SUFFIX: \"01\"\n      SERVICE: other\n"), "services[0].vars.SERVICE", 26, `variable "SERVICE" shadows the builtin`, 0},
		{"environment var shadows builtin", edit(t, valid, `vars: {PORT_BASE: "182"}`, `vars: {PORT_BASE: "182", IDEMPOTENCY_KEY: "x"}`), "environments[0].vars.IDEMPOTENCY_KEY", 47, "shadows the builtin", 0},

		// environments
		{"no environments", cut(t, valid, "environments:", "waves:", "environments: []\n"), "environments", 46, "at least one environment", 3},
		{"environment name missing", edit(t, valid, "  - name: prod-eu\n    region", "  - region"), "environments[1].name", 48, "required", 2},
		{"environment name not a DNS label", edit(t, valid, "- name: prod-eu", "- name: Prod_EU", "[prod-eu]", "[Prod_EU]"), "environments[1].name", 48, `invalid environment name "Prod_EU"`, 0},
		{"environment name duplicate", edit(t, valid, "- name: prod-eu", "- name: staging", "[prod-eu]", "[staging]"), "environments[1].name", 48, `duplicate environment name "staging"`, 2},
		{"region missing", edit(t, valid, "    region: eu-west\n", ""), "environments[1].region", 48, "required: the region", 0},
		{"timeZone missing", edit(t, valid, "    timeZone: Europe/Berlin\n", ""), "environments[1].timeZone", 48, "required: an IANA time zone", 0},
		{"timeZone unknown", edit(t, valid, "    timeZone: Europe/Berlin\n", "    timeZone: Europe/Berln\n"), "environments[1].timeZone", 50, `unknown time zone "Europe/Berln"`, 0},
		{"timeZone Local", edit(t, valid, "    timeZone: Europe/Berlin\n", "    timeZone: Local\n"), "environments[1].timeZone", 50, "depends on the worker's host", 0},

		// waves
		{"no waves", cut(t, valid, "waves:", "approval:", "waves: []\n"), "waves", 53, "at least one wave", 0},
		{"wave name missing", edit(t, valid, "  - name: production\n    environments", "  - environments"), "waves[1].name", 55, "required: the wave name", 0},
		{"wave name duplicate", edit(t, valid, "name: production", "name: pre-prod"), "waves[1].name", 55, `duplicate wave name "pre-prod"`, 0},
		{"wave without environments", edit(t, valid, "environments: [prod-eu]", "environments: []"), "waves[1].environments", 56, "at least one environment is required", 2},
		{"wave names unknown environment", edit(t, valid, "environments: [prod-eu]", "environments: [prod-eu, prod-ue]"), "waves[1].environments[1]", 56, `unknown environment "prod-ue" (did you mean "prod-eu"?)`, 0},
		{"environment in two waves", edit(t, valid, "environments: [prod-eu]", "environments: [prod-eu, staging]"), "waves[1].environments[1]", 56, `environment "staging" is already in wave "pre-prod" (waves[0])`, 0},
		{"environment twice in one wave", edit(t, valid, "environments: [prod-eu]", "environments: [prod-eu, prod-eu]"), "waves[1].environments[1]", 56, "listed twice in this wave", 0},
		{"environment in no wave", edit(t, valid, "waves:\n", "  - {name: dr, region: eu-central, timeZone: UTC, vars: {PORT_BASE: \"184\"}}\nwaves:\n"), "environments[2].name", 53, `environment "dr" is in no wave`, 0},

		// approval
		{"no approvers", edit(t, valid, "approvers: [bob, carol, dave]", "approvers: []"), "approval.approvers", 58, "at least one approver", 0},
		{"duplicate approver", edit(t, valid, "approvers: [bob, carol, dave]", "approvers: [bob, carol, bob]"), "approval.approvers[2]", 58, `duplicate approver "bob"`, 0},
		{"empty approver", edit(t, valid, "approvers: [bob, carol, dave]", `approvers: [bob, carol, ""]`), "approval.approvers[2]", 58, "required", 0},
		{"required zero", edit(t, valid, "required: 2", "required: 0"), "approval.required", 59, "must be between 1 and the number of approvers (3), got 0", 0},
		{"required above approvers", edit(t, valid, "required: 2", "required: 4"), "approval.required", 59, "got 4", 0},
		{"quorum needs the owner", edit(t, valid, "approvers: [bob, carol, dave]", "approvers: [alice, bob]"), "approval.required", 59,
			`a quorum of 2 cannot be reached without the owner "alice": the owner may not approve their own release`, 0},
		{"approval timeout negative", edit(t, valid, "timeout: 72h", "timeout: -1h"), "approval.timeout", 60, "must not be negative", 0},

		// settings
		{"reviewDelay negative", edit(t, valid, "reviewDelay: 24h", "reviewDelay: -24h"), "reviewDelay", 61, "must not be negative, got -24h0m0s", 0},
		{"maxParallel negative", edit(t, valid, "maxParallel: 2", "maxParallel: -1"), "deployment.maxParallel", 63, "must be at least 1", 0},
		{"handoff contact missing", edit(t, valid, "  contact: support-oncall\n", ""), "handoff.contact", 64, "required: who takes the release over", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := Parse("release.yaml", []byte(tt.doc))
			require.Nil(t, spec)
			ps := problemsOf(t, err)
			requireProblem(t, ps, tt.path, tt.line, tt.frag)
			want := max(tt.n, 1)
			require.Len(t, ps, want, "problems:\n%s", ps.Error())
			for _, p := range ps {
				require.Equal(t, "release.yaml", p.File)
			}
		})
	}
}

// TestParseAcceptsVariants covers valid specs that differ from testdata/valid.yaml in ways
// validation must not reject.
func TestParseAcceptsVariants(t *testing.T) {
	valid := validYAML(t)
	tests := []struct {
		name string
		doc  string
	}{
		{"owner approves with reachable quorum", edit(t, valid, "approvers: [bob, carol, dave]", "approvers: [alice, bob, carol]")},
		{"single approver", edit(t, valid, "approvers: [bob, carol, dave]\n  required: 2", "approvers: [bob]\n  required: 1")},
		{"builtin in smoke url", edit(t, valid, "/healthz\n        expectStatus", "/healthz?svc=${SERVICE}&env=$ENVIRONMENT&r=${RELEASE_ID}\n        expectStatus")},
		{"https url", edit(t, valid, "url: http://127.0.0.1:${PORT_BASE}${PORT_SUFFIX}/healthz\n        expectStatus", "url: https://ledger.internal/healthz\n        expectStatus")},
		{"defaults omitted", edit(t, valid, "reviewDelay: 24h\n", "", "  timeout: 72h\n", "", "        expectStatus: 200\n", "")},
		{"UTC", edit(t, valid, "timeZone: Europe/Berlin\n", "timeZone: UTC\n")},
		{"service var overrides environment var", edit(t, valid, "      PORT_SUFFIX: \"01\"\n", "      PORT_SUFFIX: \"01\"\n      PORT_BASE: \"190\"\n")},
		{"one wave holds both environments", edit(t, valid, "  - {name: pre-prod, environments: [staging]}\n  - name: production\n    environments: [prod-eu]", "  - {name: all, environments: [staging, prod-eu]}")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := Parse("release.yaml", []byte(tt.doc))
			require.NoError(t, err)
			require.NotNil(t, spec)
		})
	}
}

// TestValidateReportsEveryProblem checks Validate directly: all problems at once, paths set,
// lines zero, sorted.
func TestValidateReportsEveryProblem(t *testing.T) {
	err := Validate(&Spec{})
	ps := problemsOf(t, err)
	var paths []string
	for _, p := range ps {
		require.Zero(t, p.Line)
		require.Empty(t, p.File)
		paths = append(paths, p.Path)
	}
	require.Equal(t, []string{
		"approval.approvers", "environments", "handoff.contact", "metadata.id", "metadata.owner",
		"metadata.title", "services", "waves",
	}, paths)
}

// TestValidateAcceptsUnnormalizedZeroes checks that zero values Normalize would default pass.
func TestValidateAcceptsUnnormalizedZeroes(t *testing.T) {
	spec, err := Parse("release.yaml", []byte(validYAML(t)))
	require.NoError(t, err)
	spec.ReviewDelay, spec.Approval.Timeout, spec.Deployment.MaxParallel = 0, 0, 0
	spec.Services[0].Runbook.Timeout = 0
	spec.Services[0].Smoke[0].ExpectStatus, spec.Services[0].Smoke[0].MaxLatency = 0, 0
	require.NoError(t, Validate(spec))
}

// TestValidateTwoCyclesReportedOnce checks that each distinct cycle is reported once, in
// declaration order, however many services reach it.
func TestValidateTwoCyclesReportedOnce(t *testing.T) {
	svc := func(name string, deps ...string) Service {
		return Service{Name: name, Version: "1", DependsOn: deps,
			Artifact: Artifact{Ref: "file:///a", Digest: ledgerDigest},
			Runbook:  Runbook{Deploy: "d", Rollback: "r"}}
	}
	spec := &Spec{Services: []Service{
		svc("a", "b"), svc("b", "a", "b"), svc("c", "d"), svc("d", "e"), svc("e", "c"), svc("f", "a", "c"),
	}}
	ps := problemsOf(t, Validate(spec))
	var cycles []string
	for _, p := range ps {
		if strings.HasPrefix(p.Message, "dependency cycle") {
			cycles = append(cycles, p.Path+": "+p.Message)
		}
	}
	require.Equal(t, []string{
		"services[0].dependsOn[0]: dependency cycle: a → b → a",
		"services[2].dependsOn[0]: dependency cycle: c → d → e → c",
	}, cycles)
	requireProblem(t, ps, "services[1].dependsOn[1]", 0, `service "b" cannot depend on itself`)
}
