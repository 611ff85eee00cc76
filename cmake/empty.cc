// Placeholder so that a library folder with no sources yet still configures.
