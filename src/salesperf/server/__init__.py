"""The web server: the FastAPI app (`server.app`), its JSON routers (`server.api`), its pages
(`server.pages`) and charts (`server.charts`), with what they share (sign-in, limits, errors)."""
