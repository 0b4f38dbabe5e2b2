"""The JSON routers: metrics, batch posts, uploads, tokens and sign-in."""
