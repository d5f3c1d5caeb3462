"""Pure array kernels, written once against an array module ``xp`` (numpy or cupy).

Kernels take ``xp`` as their first argument, receive and return plain arrays, and know
nothing about graphs, sessions or devices; the op definitions call them.
"""
