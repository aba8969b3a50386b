"""Server-rendered pages for people: officials signing, archivists, public verification."""
