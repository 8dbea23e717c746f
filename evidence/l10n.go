package evidence

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// LocalizationSummary says how complete each locale's message catalog is against the base
// locale: keys missing or empty per locale.
type LocalizationSummary struct {
	BaseLocale   string           `json:"base_locale"`
	BaseKeys     int64            `json:"base_keys"`
	Locales      int64            `json:"locales"`
	MissingTotal int64            `json:"missing_total"`
	Missing      map[string]int64 `json:"missing"`
	Complete     bool             `json:"complete"`
	// Examples lists up to ten missing keys as "locale:key".
	Examples []string `json:"examples"`
}

// ParseCatalog reads one JSON message catalog (flat or nested, as i18next, ARB and
// format.js write them) and returns its keys, nested keys joined with ".", with their values.
// ARB metadata keys (starting with "@") are skipped.
func ParseCatalog(data []byte) (map[string]string, error) {
	const kind = "message catalog"
	if err := checkSize(kind, data); err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: malformed JSON (want an object of message keys): %v", kind, err)
	}
	out := make(map[string]string)
	if err := flatten("", doc, out); err != nil {
		return nil, fmt.Errorf("%s: %v", kind, err)
	}
	return out, nil
}

func flatten(prefix string, m map[string]any, out map[string]string) error {
	for k, v := range m {
		if strings.HasPrefix(k, "@") {
			continue
		}
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch t := v.(type) {
		case string:
			out[key] = t
		case map[string]any:
			if err := flatten(key, t, out); err != nil {
				return err
			}
		default:
			return fmt.Errorf("key %q: want a message string or a nested object, got %T", key, v)
		}
	}
	return nil
}

// CompareCatalogs counts, for every locale other than base, the base keys it lacks or leaves
// empty. Catalogs maps locale to its parsed keys; the base locale must be among them and have
// keys.
func CompareCatalogs(base string, catalogs map[string]map[string]string) (LocalizationSummary, error) {
	baseKeys, ok := catalogs[base]
	if !ok {
		return LocalizationSummary{}, fmt.Errorf("localization: no catalog for the base locale %q", base)
	}
	if len(baseKeys) == 0 {
		return LocalizationSummary{}, fmt.Errorf("localization: base catalog %q has no keys", base)
	}
	s := LocalizationSummary{BaseLocale: base, BaseKeys: int64(len(baseKeys)), Missing: make(map[string]int64)}
	keys := sortedKeys(baseKeys)
	locales := sortedKeys(catalogs)
	for _, loc := range locales {
		if loc == base {
			continue
		}
		s.Locales++
		cat := catalogs[loc]
		for _, k := range keys {
			if v, ok := cat[k]; !ok || strings.TrimSpace(v) == "" {
				s.Missing[loc]++
				s.MissingTotal++
				s.Examples = addExample(s.Examples, loc+":"+k)
			}
		}
	}
	if s.Locales == 0 {
		return LocalizationSummary{}, fmt.Errorf("localization: only the base locale %q: nothing to compare", base)
	}
	s.Complete = s.MissingTotal == 0
	return s, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
