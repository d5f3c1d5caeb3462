"""Shared pytest fixtures: a fresh default graph per test, and the device modes.

``device_mode`` runs a test twice: on the CPU (numpy) and on the strict test device, which
stands in for a GPU and whose arrays refuse implicit conversion to numpy (as cupy's do), so
kernels or executor code that mix array modules fail here even without a GPU.
"""
import os

import pytest

import tensorslim as tf
from tensorslim.core import devices


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "gpu: needs cupy and a CUDA GPU; such tests skip cleanly without them")
    config.addinivalue_line("markers", "slow: long-running (training to an accuracy)")


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


@pytest.fixture(params=["cpu", "strict"])
def device_mode(request):
    """Runs the test on numpy (CPU) and on the strict GPU stand-in."""
    if request.param == "strict":
        with devices.strict_test_device():
            yield request.param
    else:
        yield request.param


@pytest.fixture
def mnist_dir():
    path = os.environ.get("MNIST_DIR")
    if not path or not os.path.isdir(path):
        pytest.skip("MNIST_DIR is not set to a directory with MNIST")
    return os.path.abspath(path)


@pytest.fixture
def fixtures_dir():
    """The golden files written by real TensorFlow (../shared/fixtures/tf1)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (os.environ.get("TF1_FIXTURES"),
                 os.path.join(here, "..", "..", "shared", "fixtures", "tf1")):
        if cand and os.path.isdir(cand):
            return cand
    pytest.skip("the TF1 golden fixtures (../shared/fixtures/tf1) are not available")
