"""TensorFlow's protocol buffer messages, as used by tensorslim.

The classes keep TensorFlow's full names (``tensorflow.GraphDef``...), field names and
numbers, so files written by TensorFlow parse here and vice versa.  They live in a private
descriptor pool (see ``_pool.py``), so importing TensorFlow into the same process does not
clash; to move a message between the two libraries, serialize it and parse the bytes.

The generated ``*_pb2`` modules are rebuilt from the ``.proto`` files beside them with
``python tools/gen_protos.py``.
"""
from tensorslim.proto.attr_value_pb2 import AttrValue, NameAttrList
from tensorslim.proto.checkpoint_state_pb2 import CheckpointState
from tensorslim.proto.event_pb2 import Event, LogMessage, SessionLog, TaggedRunMetadata
from tensorslim.proto.example_pb2 import Example, SequenceExample
from tensorslim.proto.feature_pb2 import (BytesList, Feature, FeatureList, FeatureLists,
                                          Features, FloatList, Int64List)
from tensorslim.proto.function_pb2 import FunctionDef, FunctionDefLibrary
from tensorslim.proto.graph_pb2 import GraphDef
from tensorslim.proto.meta_graph_pb2 import (AssetFileDef, CollectionDef, MetaGraphDef,
                                             SignatureDef, TensorInfo)
from tensorslim.proto.node_def_pb2 import NodeDef
from tensorslim.proto.op_def_pb2 import OpDef, OpList
from tensorslim.proto.saver_pb2 import SaverDef
from tensorslim.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorslim.proto.tensor_bundle_pb2 import BundleEntryProto, BundleHeaderProto
from tensorslim.proto.tensor_pb2 import TensorProto
from tensorslim.proto.tensor_shape_pb2 import TensorShapeProto
from tensorslim.proto.tensor_slice_pb2 import TensorSliceProto
from tensorslim.proto.types_pb2 import DataType
from tensorslim.proto.variable_pb2 import SaveSliceInfoDef, VariableDef
from tensorslim.proto.versions_pb2 import VersionDef

__all__ = [
    "AssetFileDef", "AttrValue", "BundleEntryProto", "BundleHeaderProto", "BytesList",
    "CheckpointState", "CollectionDef", "DataType", "Event", "Example", "Feature",
    "FeatureList", "FeatureLists", "Features", "FloatList", "FunctionDef",
    "FunctionDefLibrary", "GraphDef", "HistogramProto", "Int64List", "LogMessage",
    "MetaGraphDef", "NameAttrList", "NodeDef", "OpDef", "OpList", "SaveSliceInfoDef",
    "SaverDef", "SequenceExample", "SessionLog", "SignatureDef", "Summary",
    "SummaryMetadata", "TaggedRunMetadata", "TensorInfo", "TensorProto", "TensorShapeProto",
    "TensorSliceProto", "VariableDef", "VersionDef",
]
