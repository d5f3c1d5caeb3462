"""Sharing variables with tf.get_variable and tf.variable_scope (reuse).

Run: python examples/variable_sharing.py [--quick]
"""
import argparse

import numpy as np

import tensorslim as tf

INPUT_NODE, LAYER1_NODE, OUTPUT_NODE = 784, 500, 10


def get_scope_variable(scope_name, var_name, shape=None):
    """Creates ``scope_name/var_name``, or returns it when it exists already."""
    with tf.variable_scope(scope_name) as scope:
        try:
            var = tf.get_variable(var_name, shape)
        except ValueError:            # it exists: switch the scope to reuse and get it
            scope.reuse_variables()
            var = tf.get_variable(var_name)
    return var


def inference(input_tensor, reuse=False):
    """A two-layer network whose variables are found by name, not passed around."""
    with tf.variable_scope("layer1", reuse=reuse):
        weights = tf.get_variable("weights", [INPUT_NODE, LAYER1_NODE],
                                  initializer=tf.truncated_normal_initializer(stddev=0.1))
        biases = tf.get_variable("biases", [LAYER1_NODE],
                                 initializer=tf.constant_initializer(0.0))
        layer1 = tf.nn.relu(tf.matmul(input_tensor, weights) + biases)
    with tf.variable_scope("layer2", reuse=reuse):
        weights = tf.get_variable("weights", [LAYER1_NODE, OUTPUT_NODE],
                                  initializer=tf.truncated_normal_initializer(stddev=0.1))
        biases = tf.get_variable("biases", [OUTPUT_NODE],
                                 initializer=tf.constant_initializer(0.0))
        layer2 = tf.matmul(layer1, weights) + biases
    return layer2


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="(already quick)")
    parser.parse_args(argv)

    a = tf.get_variable("a", [3, 3, 32, 64], initializer=tf.random_normal_initializer())
    tf.get_variable("b", [64], initializer=tf.random_normal_initializer())
    for var in tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES):
        print(var is a, var.get_shape())

    var_1 = get_scope_variable("cur_scope", "my_var", [100])
    var_2 = get_scope_variable("cur_scope", "my_var", [100])
    print(var_1 is var_2, var_1.name)                 # True cur_scope/my_var:0

    with tf.variable_scope("foo"):
        v = tf.get_variable("v", [1], initializer=tf.constant_initializer(1.0))
    try:
        with tf.variable_scope("foo"):
            tf.get_variable("v", [1])
    except ValueError as e:
        print("ValueError:", str(e).splitlines()[0])
    with tf.variable_scope("foo", reuse=True):
        v1 = tf.get_variable("v", [1])
    print(v is v1)                                    # True
    try:
        with tf.variable_scope("bar", reuse=True):
            tf.get_variable("v", [1])
    except ValueError as e:
        print("ValueError:", str(e).splitlines()[0])

    with tf.variable_scope("root"):
        print(tf.get_variable_scope().reuse)          # False
        with tf.variable_scope("foo", reuse=True):
            print(tf.get_variable_scope().reuse)      # True
            with tf.variable_scope("bar"):
                print(tf.get_variable_scope().reuse)  # True (inherited)
        print(tf.get_variable_scope().reuse)          # False

    with tf.variable_scope("foo"):
        with tf.variable_scope("bar"):
            v3 = tf.get_variable("v", [1])
    print(v3.name)                                    # foo/bar/v:0
    with tf.variable_scope("", reuse=True):
        print(tf.get_variable("foo/bar/v", [1]) is v3)  # True

    # The same inference() builds the graph twice over one set of weights.
    x = tf.placeholder(tf.float32, [None, INPUT_NODE], name="x-input")
    y = inference(x)
    y_again = inference(x, reuse=True)
    print(len(tf.trainable_variables()), "trainable variables")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        data = np.random.RandomState(0).rand(2, INPUT_NODE)
        out, out_again = sess.run([y, y_again], {x: data})
        print("identical outputs:", bool(np.allclose(out, out_again)))


if __name__ == "__main__":
    main()
