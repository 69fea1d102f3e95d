"""Django settings: `base` (shared), `dev`, `test`, `production`; secrets from environment variables only."""
