package jira

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fieldSchema is a create screen with one custom field of each kind.
var fieldSchema = map[string]string{
	"customfield_10050": KindText, "customfield_10051": KindOption,
	"customfield_10052": KindOptions, "customfield_10053": KindLabels, "customfield_10054": KindText,
}

func TestTypedFieldMappings(t *testing.T) {
	tests := []struct {
		name       string
		fields     map[string]string
		custom     map[string]any
		components []string
		inDesc     []string
		notInDesc  []string
	}{
		{
			name: "select, multi select, text",
			fields: map[string]string{FieldRiskClass: "customfield_10051:option", FieldServices: "customfield_10052:options",
				FieldBackout: "customfield_10050", FieldRisk: "customfield_10054:text"},
			custom: map[string]any{
				"customfield_10051": map[string]any{"value": "high"},
				"customfield_10052": []any{map[string]any{"value": "checkout"}, map[string]any{"value": "payments"}},
				"customfield_10050": "roll back with tollgate",
				"customfield_10054": "high: touches payments",
			},
			inDesc:    []string{"h3. implementation\nwaves staging, prod", "h3. test\nsmoke checkout"},
			notInDesc: []string{"h3. risk", "h3. services", "h3. backout", "riskClass"},
		},
		{
			name:       "components",
			fields:     map[string]string{FieldServices: "components"},
			custom:     map[string]any{},
			components: []string{"checkout", "payments"},
			inDesc:     []string{"h3. risk\nhigh: touches payments"},
			notInDesc:  []string{"h3. services", "riskClass"},
		},
		{
			name:   "labels",
			fields: map[string]string{FieldServices: "customfield_10053:labels", FieldRiskClass: "customfield_10052:options"},
			custom: map[string]any{
				"customfield_10053": []any{"checkout", "payments"},
				"customfield_10052": []any{map[string]any{"value": "high"}},
			},
			inDesc:    []string{"h3. risk\nhigh: touches payments", "h3. backout"},
			notInDesc: []string{"h3. services", "riskClass"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f, teardown := setup(t, Config{Fields: tt.fields})
			defer teardown()
			f.SetFieldKinds(fieldSchema)
			f.SetComponents("checkout", "payments", "ledger")
			key, err := c.CreateChange(context.Background(), testChange())
			require.NoError(t, err)
			is := f.Issues()[0]
			assert.Equal(t, tt.custom, is.Custom, "what Jira received")
			assert.Equal(t, tt.components, is.Components)
			for _, s := range tt.inDesc {
				assert.Contains(t, is.Description, s)
			}
			for _, s := range tt.notInDesc {
				assert.NotContains(t, is.Description, s)
			}
			// The issue read back carries the fields as Jira stores them.
			got, _, err := c.api.Issue.Get(key, nil)
			require.NoError(t, err)
			for id, v := range tt.custom {
				assert.Equal(t, v, got.Fields.Unknowns[id], id)
			}
			assert.Len(t, got.Fields.Components, len(tt.components))
		})
	}
}

// Before typed mappings every value went as text, which Jira refuses for a select.
func TestFakeRefusesTheWrongShape(t *testing.T) {
	c, f, teardown := setup(t, Config{Fields: map[string]string{FieldRiskClass: "customfield_10051"}})
	defer teardown()
	f.SetFieldKinds(fieldSchema)
	_, err := c.CreateChange(context.Background(), testChange())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "customfield_10051")
	cls, _ := Classify(err)
	assert.Equal(t, Permanent, cls)

	c, f, teardown2 := setup(t, Config{Fields: map[string]string{FieldServices: "components"}})
	defer teardown2()
	f.SetComponents("checkout")
	_, err = c.CreateChange(context.Background(), testChange())
	assert.ErrorContains(t, err, "Component name 'payments' is not valid")
}

// The risk is pending at intake, so the select is cleared (null), then set once assessed.
func TestUpdateChangeSetsTheRiskClassSelect(t *testing.T) {
	c, f, teardown := setup(t, Config{Fields: map[string]string{FieldRiskClass: "customfield_10051:option"}})
	defer teardown()
	f.SetFieldKinds(fieldSchema)
	cr := testChange()
	cr.RiskClass, cr.RiskExplanation = "", ""
	key, err := c.CreateChange(context.Background(), cr)
	require.NoError(t, err)
	assert.Nil(t, f.Issues()[0].Custom["customfield_10051"])
	assert.Contains(t, f.Issues()[0].Custom, "customfield_10051")
	assert.NotContains(t, f.Issues()[0].Description, "h3. risk", "no empty risk section")
	cr.RiskClass, cr.RiskExplanation = "medium", "two services"
	require.NoError(t, c.UpdateChange(context.Background(), key, cr))
	assert.Equal(t, map[string]any{"value": "medium"}, f.Issues()[0].Custom["customfield_10051"])
	assert.Contains(t, f.Issues()[0].Description, "h3. risk\nmedium: two services")
}

func TestCheckField(t *testing.T) {
	tests := []struct {
		key, target string
		err         string
	}{
		{FieldRisk, "customfield_10050", ""},
		{FieldRisk, "customfield_10050:text", ""},
		{FieldRiskClass, "customfield_10051:option", ""},
		{FieldRiskClass, "customfield_10051:options", ""},
		{FieldServices, "customfield_10052:options", ""},
		{FieldServices, "customfield_10052:labels", ""},
		{FieldServices, "components", ""},
		{FieldTest, "customfield_1:labels", ""},
		{"summary", "customfield_10050", `unknown field "summary" (accepted: risk, riskClass, implementation, backout, test, services)`},
		{FieldServices, "customfield_10052:option", "a single select holds one value"},
		{FieldRisk, "components", "components holds services only"},
		{FieldRisk, "customfield_10050:date", `unknown kind "date"`},
		{FieldRisk, "description", "want customfield_NNNNN[:kind] or components"},
		{FieldRisk, "", "want customfield_NNNNN[:kind] or components"},
	}
	for _, tt := range tests {
		err := CheckField(tt.key, tt.target)
		if tt.err == "" {
			assert.NoError(t, err, "%s=%s", tt.key, tt.target)
		} else {
			assert.ErrorContains(t, err, tt.err, "%s=%s", tt.key, tt.target)
		}
	}
	_, err := New(Options{BaseURL: "https://jira.example/", Config: Config{Project: "CHG", Fields: map[string]string{"summary": "customfield_1"}}})
	assert.ErrorContains(t, err, `jira field mapping: unknown field "summary"`)
	assert.Equal(t, []string{"risk", "riskClass", "implementation", "backout", "test", "services"}, FieldKeys())
}
