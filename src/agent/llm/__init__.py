"""The LLM engine: the OpenAI SDK against any OpenAI-compatible endpoint, per-node prompts, fallbacks."""
