// Placeholder: written in the engine issue (#3).
