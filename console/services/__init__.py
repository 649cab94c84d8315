"""Qt-free services: the layer that checks permissions, acts on the store and audits."""
