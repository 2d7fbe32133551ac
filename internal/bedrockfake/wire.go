package bedrockfake

import (
	"encoding/json"
	"net/http"
)

// Request is one Converse call as the fake received it, decoded.
type Request struct {
	ModelID         string
	System          []ContentBlock
	Messages        []Message
	ToolConfig      *ToolConfig
	InferenceConfig *InferenceConfig
	Header          http.Header
	Body            []byte
	// AuthError is why the request was refused before being answered
	// (bad signature, unknown key...); "" when it was authenticated.
	AuthError string
}

// Message is one turn of the conversation.
type Message struct {
	Role    string         `json:"role"`
	Content []ContentBlock `json:"content"`
}

// ContentBlock is one block of a message or of the system prompt. Only the
// kinds a review client sends are decoded; others are kept raw in Other.
type ContentBlock struct {
	Text       *string                    `json:"text,omitempty"`
	ToolUse    *ToolCall                  `json:"toolUse,omitempty"`
	ToolResult json.RawMessage            `json:"toolResult,omitempty"`
	CachePoint json.RawMessage            `json:"cachePoint,omitempty"`
	Other      map[string]json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a content union, keeping unknown members in Other.
func (b *ContentBlock) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	for k, v := range m {
		var err error
		switch k {
		case "text":
			b.Text = new(string)
			err = json.Unmarshal(v, b.Text)
		case "toolUse":
			b.ToolUse = new(ToolCall)
			err = json.Unmarshal(v, b.ToolUse)
		case "toolResult":
			b.ToolResult = v
		case "cachePoint":
			b.CachePoint = v
		default:
			if b.Other == nil {
				b.Other = map[string]json.RawMessage{}
			}
			b.Other[k] = v
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ToolCall is a tool call in a message.
type ToolCall struct {
	ToolUseID string          `json:"toolUseId"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
}

// ToolConfig is the request's toolConfig.
type ToolConfig struct {
	Tools      []Tool      `json:"tools"`
	ToolChoice *ToolChoice `json:"toolChoice,omitempty"`
}

// Tool is one entry of toolConfig.tools.
type Tool struct {
	ToolSpec   *ToolSpec       `json:"toolSpec,omitempty"`
	CachePoint json.RawMessage `json:"cachePoint,omitempty"`
}

// ToolSpec describes one tool.
type ToolSpec struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	InputSchema struct {
		JSON json.RawMessage `json:"json"`
	} `json:"inputSchema"`
	Strict *bool `json:"strict,omitempty"`
}

// ToolChoice is the request's toolChoice union.
type ToolChoice struct {
	Auto *struct{} `json:"auto,omitempty"`
	Any  *struct{} `json:"any,omitempty"`
	Tool *struct {
		Name string `json:"name"`
	} `json:"tool,omitempty"`
}

// InferenceConfig is the request's inferenceConfig.
type InferenceConfig struct {
	MaxTokens     *int     `json:"maxTokens,omitempty"`
	Temperature   *float64 `json:"temperature,omitempty"`
	TopP          *float64 `json:"topP,omitempty"`
	StopSequences []string `json:"stopSequences,omitempty"`
}

// Tool returns the spec of the tool with the given name, or nil.
func (r *Request) Tool(name string) *ToolSpec {
	if r.ToolConfig == nil {
		return nil
	}
	for _, t := range r.ToolConfig.Tools {
		if t.ToolSpec != nil && t.ToolSpec.Name == name {
			return t.ToolSpec
		}
	}
	return nil
}

// UserText returns the text blocks of the first user message joined by
// newlines.
func (r *Request) UserText() string {
	var s string
	for _, m := range r.Messages {
		if m.Role != "user" {
			continue
		}
		for _, b := range m.Content {
			if b.Text != nil {
				if s != "" {
					s += "\n"
				}
				s += *b.Text
			}
		}
		break
	}
	return s
}

// SystemText returns the system text blocks joined by newlines.
func (r *Request) SystemText() string {
	var s string
	for _, b := range r.System {
		if b.Text != nil {
			if s != "" {
				s += "\n"
			}
			s += *b.Text
		}
	}
	return s
}

// converseRequest is the body of a Converse call. modelId travels in the
// path, not here.
type converseRequest struct {
	System          []ContentBlock   `json:"system"`
	Messages        []Message        `json:"messages"`
	ToolConfig      *ToolConfig      `json:"toolConfig"`
	InferenceConfig *InferenceConfig `json:"inferenceConfig"`
}

// knownRequestKeys are the top-level members Converse accepts; anything
// else is refused as Bedrock does.
var knownRequestKeys = map[string]bool{
	"additionalModelRequestFields":      true,
	"additionalModelResponseFieldPaths": true,
	"guardrailConfig":                   true,
	"inferenceConfig":                   true,
	"messages":                          true,
	"outputConfig":                      true,
	"performanceConfig":                 true,
	"promptVariables":                   true,
	"requestMetadata":                   true,
	"serviceTier":                       true,
	"system":                            true,
	"toolConfig":                        true,
}

type converseResponse struct {
	Output struct {
		Message struct {
			Role    string `json:"role"`
			Content []any  `json:"content"`
		} `json:"message"`
	} `json:"output"`
	StopReason string `json:"stopReason"`
	Usage      struct {
		InputTokens           int `json:"inputTokens"`
		OutputTokens          int `json:"outputTokens"`
		TotalTokens           int `json:"totalTokens"`
		CacheReadInputTokens  int `json:"cacheReadInputTokens,omitempty"`
		CacheWriteInputTokens int `json:"cacheWriteInputTokens,omitempty"`
	} `json:"usage"`
	Metrics struct {
		LatencyMs int64 `json:"latencyMs"`
	} `json:"metrics"`
}
