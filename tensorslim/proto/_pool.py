"""The descriptor pool that holds tensorslim's ``tensorflow.*`` message types.

tensorslim's messages keep TensorFlow's full names (``tensorflow.GraphDef``...)
so that type URLs and text formats match TF's.  Registering them in protobuf's
default pool would collide with a real TensorFlow imported into the same
process ("duplicate symbol"), so they live in this private pool instead.  The
wire format is identical: serialize with one library and parse with the other.
"""
from google.protobuf import any_pb2
from google.protobuf import descriptor_pool
from google.protobuf.internal import builder as _builder

__all__ = ["POOL", "Any"]

POOL = descriptor_pool.DescriptorPool()

# meta_graph.proto imports google/protobuf/any.proto, and a pool must hold every
# dependency of its files.  Building the class here (as generated code would) gives
# this pool's Any its Pack/Unpack methods on every protobuf runtime.
_any_module = {}
_builder.BuildMessageAndEnumDescriptors(
    POOL.AddSerializedFile(any_pb2.DESCRIPTOR.serialized_pb), _any_module)
_builder.BuildTopDescriptorsAndMessages(
    POOL.FindFileByName("google/protobuf/any.proto"), __name__, _any_module)
Any = _any_module["Any"]
