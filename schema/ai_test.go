package schema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// aiBackend is the corpus backend with a conversation route and a
// generation route beside ordinary models.
const aiBackend = "testdata/amplify/backends/ai/generated"

// TestModelIntrospectionAISections: the sections Amplify writes for AI
// routes are read as typed values: generations (a.generation) as the
// custom queries they are, conversations (a.conversation) with their
// models, enums and send and subscribe operations, and the inputs their
// arguments use; nothing of them is lost when the document is written
// back.
func TestModelIntrospectionAISections(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(aiBackend, "model_introspection.json"))
	require.NoError(t, err)
	mi, err := ParseModelIntrospection("model_introspection.json", data)
	require.NoError(t, err)

	require.Len(t, mi.Generations, 2)
	assert.Equal(t, "summarize", mi.Generations[1].Name)
	assert.Equal(t, FieldType{Scalar: "String"}, mi.Generations[1].Type)
	g := mi.Generations[0]
	assert.Equal(t, "generateRecipe", g.Name)
	assert.Equal(t, FieldType{NonModel: "Recipe"}, g.Type)
	require.Len(t, g.Arguments, 1)
	assert.Equal(t, "description", g.Arguments[0].Name)

	require.Len(t, mi.Conversations, 1)
	c := mi.Conversations[0]
	assert.Equal(t, "chat", c.Name)
	assert.Equal(t, "ConversationChat", c.ConversationModel)
	assert.Equal(t, "ConversationMessageChat", c.MessageModel)
	require.Len(t, c.Models, 2)
	assert.Equal(t, "ConversationChat", c.Models[0].Name)
	assert.NotNil(t, c.Model("ConversationMessageChat").Field("conversationId"))
	require.Len(t, c.Enums, 1)
	assert.Equal(t, "AmplifyAIConversationParticipantRole", c.Enums[0].Name)
	require.NotNil(t, c.Send)
	assert.Equal(t, "chat", c.Send.Name)
	assert.Equal(t, FieldType{Model: "ConversationMessageChat"}, c.Send.Type)
	require.NotNil(t, c.Subscribe)
	assert.Equal(t, "onCreateAssistantResponseChat", c.Subscribe.Name)
	assert.Equal(t, FieldType{NonModel: "AmplifyAIConversationMessageStreamPart"}, c.Subscribe.Type)

	in := mi.Input("AmplifyAIToolConfigurationInput")
	require.NotNil(t, in)
	require.Len(t, in.Fields, 1)
	assert.Equal(t, "tools", in.Fields[0].Name)
	assert.Equal(t, FieldType{Input: "AmplifyAIToolInput"}, in.Fields[0].Type)
	assert.Empty(t, mi.Extra, "every section is typed")

	out, err := json.Marshal(mi)
	require.NoError(t, err)
	assert.JSONEq(t, string(data), string(out))
	again, err := ParseModelIntrospection("again.json", out)
	require.NoError(t, err)
	assert.Equal(t, mi, again)
}

// TestModelIntrospectionUnknownSections: a section this SDK does not know
// yet is kept verbatim, and an AI section with members it does not know
// keeps them too.
func TestModelIntrospectionUnknownSections(t *testing.T) {
	src := `{"version":1,"models":{},"enums":{},"nonModels":{},
	  "generations":{},
	  "conversations":{"talk":{"name":"talk","models":{},"nonModels":{},"enums":{},"conversation":{"modelName":"T"},
	    "message":{"modelName":"M","list":{"name":"listM"}},"future":[1,2]}},
	  "inputs":{},
	  "futureSection":{"a":[1,"x"]}}`
	mi, err := ParseModelIntrospection("mi.json", []byte(src))
	require.NoError(t, err)
	assert.NotNil(t, mi.Generations, "present, though empty")
	assert.Empty(t, mi.Generations)
	assert.NotNil(t, mi.Inputs)
	require.Len(t, mi.Conversations, 1)
	assert.Nil(t, mi.Conversations[0].Send)
	assert.JSONEq(t, `[1,2]`, string(mi.Conversations[0].Extra["future"]))
	assert.JSONEq(t, `{"name":"listM"}`, string(mi.Conversations[0].MessageExtra["list"]))
	assert.JSONEq(t, `{"a":[1,"x"]}`, string(mi.Extra["futureSection"]))
	out, err := json.Marshal(mi)
	require.NoError(t, err)
	assert.JSONEq(t, src, string(out))
}
