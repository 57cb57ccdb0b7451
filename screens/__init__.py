"""One Textual screen a module. Only the App imports this package."""
