// AI routes beside ordinary models: a conversation route (a.conversation,
// with the default conversation handler Amplify deploys for it) and two
// generation routes (a.generation), one returning a custom type and one a
// scalar, next to a model with an owner rule. The transformer adds the
// conversation's models (ConversationChat, ConversationMessageChat), the
// AmplifyAI* types and inputs, the send mutation and the stream
// subscription; model_introspection lists them under conversations and
// generations, outside models and queries.
import { a } from "@aws-amplify/data-schema"

export const schema = a.schema({
  Recipe: a.customType({
    name: a.string(),
    ingredients: a.string().array(),
    minutes: a.integer(),
  }),

  Note: a
    .model({
      title: a.string().required(),
      body: a.string(),
    })
    .authorization((allow) => [allow.owner()]),

  chat: a
    .conversation({
      aiModel: a.ai.model("Claude 3 Haiku"),
      systemPrompt: "You are a helpful assistant.",
    })
    .authorization((allow) => allow.owner()),

  generateRecipe: a
    .generation({
      aiModel: a.ai.model("Claude 3 Haiku"),
      systemPrompt: "You are a helpful assistant that generates recipes.",
    })
    .arguments({ description: a.string() })
    .returns(a.ref("Recipe"))
    .authorization((allow) => allow.authenticated()),

  summarize: a
    .generation({
      aiModel: a.ai.model("Claude 3 Haiku"),
      systemPrompt: "Summarize the text in one sentence.",
    })
    .arguments({ text: a.string().required() })
    .returns(a.string())
    .authorization((allow) => allow.authenticated()),
})

export const authorizationModes = {
  defaultAuthorizationMode: "userPool",
} as const

export const auth = {
  loginWith: { email: true },
}
