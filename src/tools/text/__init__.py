"""Small, deterministic text analysis used by the offline engine: tokens, sentences, quotes, cues."""
