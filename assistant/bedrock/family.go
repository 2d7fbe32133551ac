package bedrock

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// family is what the client knows of a model from its id: the inference
// parameters it accepts.
type family struct {
	// temperature is true when the model accepts inferenceConfig
	// temperature. Claude models up to Opus 4.6, Sonnet 4.6 and Haiku 4.5
	// do; from Opus 4.7 on, Anthropic deprecated it and Bedrock answers
	// "`temperature` is deprecated for this model". A model the client
	// does not know gets no temperature: the forced tool and the strict
	// decoding make the answer's shape deterministic anyway.
	temperature bool
}

// claudeID matches the model part of a Claude id: "claude-sonnet-4-5-...",
// "claude-3-5-sonnet-...", "claude-opus-4-6-v1", "claude-haiku-4-5-...".
var claudeID = regexp.MustCompile(`claude-(?:(opus|sonnet|haiku)-(\d+)(?:-(\d))?|(\d+)(?:-(\d))?-(opus|sonnet|haiku))(?:[-:]|$)`)

// familyOf tells the family of a model or inference-profile id.
func familyOf(id string) family {
	m := claudeID.FindStringSubmatch(strings.ToLower(id))
	if m == nil {
		return family{}
	}
	var major, minor int
	switch {
	case m[1] != "": // claude-sonnet-4-5
		major, _ = strconv.Atoi(m[2])
		minor, _ = strconv.Atoi(m[3])
	default: // claude-3-5-sonnet
		major, _ = strconv.Atoi(m[4])
		minor, _ = strconv.Atoi(m[5])
	}
	// Opus 4.7 and later, and any Claude 5, refuse temperature.
	return family{temperature: major < 4 || major == 4 && minor <= 6}
}

// profileGeographies are the inference-profile prefixes that name a
// geography, with the region prefixes they serve.
var profileGeographies = map[string][]string{
	"us":     {"us-"},
	"us-gov": {"us-gov-"},
	"eu":     {"eu-"},
	"apac":   {"ap-"},
	"au":     {"ap-southeast-2", "ap-southeast-4"},
	"jp":     {"ap-northeast-1", "ap-northeast-3"},
	"ca":     {"ca-"},
}

// profileMismatch says why a geographic inference profile cannot be used
// from region ("an eu. profile in us-east-1"), or "".
func profileMismatch(id, region string) string {
	prefix, _, ok := strings.Cut(id, ".")
	if !ok || region == "" {
		return ""
	}
	regions, known := profileGeographies[strings.ToLower(prefix)]
	if !known {
		return ""
	}
	for _, r := range regions {
		if strings.HasPrefix(region, r) && !(prefix == "us" && strings.HasPrefix(region, "us-gov-")) {
			return ""
		}
	}
	return fmt.Sprintf("the inference profile %s is for %s regions, but the client calls region %s (use the profile of that region's geography, or global.)",
		clip(id, 80), strings.ToUpper(prefix), region)
}
