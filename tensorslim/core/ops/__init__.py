"""Op definitions: each module registers its ops (shape function, kernel, gradient) and
holds the user functions that build them."""
