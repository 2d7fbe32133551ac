package bedrockfake

import (
	"encoding/json"
	"fmt"
	"sort"
)

// unsupportedStrict are JSON Schema keywords that strict tool schemas
// refuse: numeric and length bounds must be enforced by the caller.
var unsupportedStrict = []string{
	"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
	"minLength", "maxLength", "maxItems", "minProperties", "maxProperties",
}

// CheckStrictSchema reports whether schema (JSON) is acceptable as a strict
// tool input schema: every object schema says "additionalProperties":
// false, and no numeric or length bounds appear (minItems above 1 neither).
func CheckStrictSchema(schema []byte) error {
	var v any
	if err := json.Unmarshal(schema, &v); err != nil {
		return fmt.Errorf("decode schema: %w", err)
	}
	return checkStrict(v, "$")
}

func checkStrict(v any, path string) error {
	switch n := v.(type) {
	case []any:
		for i, e := range n {
			if err := checkStrict(e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, k := range unsupportedStrict {
			if _, ok := n[k]; ok {
				return fmt.Errorf("%s: keyword %q is not supported", path, k)
			}
		}
		if mi, ok := n["minItems"].(float64); ok && mi > 1 {
			return fmt.Errorf("%s: minItems above 1 is not supported", path)
		}
		if t, _ := n["type"].(string); t == "object" || n["properties"] != nil {
			if ap, ok := n["additionalProperties"].(bool); !ok || ap {
				return fmt.Errorf("%s: object schema must set additionalProperties to false", path)
			}
		}
		keys := make([]string, 0, len(n))
		for k := range n {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub := n[k]
			switch k {
			case "properties", "$defs", "definitions":
				props, ok := sub.(map[string]any)
				if !ok {
					return fmt.Errorf("%s.%s: must be an object", path, k)
				}
				names := make([]string, 0, len(props))
				for name := range props {
					names = append(names, name)
				}
				sort.Strings(names)
				for _, name := range names {
					if err := checkStrict(props[name], path+"."+k+"."+name); err != nil {
						return err
					}
				}
			case "items", "anyOf", "allOf", "oneOf", "not":
				if err := checkStrict(sub, path+"."+k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
