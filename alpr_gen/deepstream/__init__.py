"""DeepStream's vocabulary: facts, versions, the bundle layout, the key catalogue, the key-file
reader and engine naming. The bottom of alpr-gen's import graph: standard library only, and
nothing here imports from the rest of alpr-gen.
"""
