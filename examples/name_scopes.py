"""name_scope versus variable_scope: which names each one prefixes.

``tf.name_scope`` prefixes ops and ``tf.Variable``s but not ``tf.get_variable``;
``tf.variable_scope`` prefixes all three (and opens a name scope of the same name).

Run: python examples/name_scopes.py [--quick]
"""
import argparse

import tensorslim as tf


def scoping(fn, scope1, scope2, vals):
    with fn(scope1):
        a = tf.Variable(vals[0], name="a")
        b = tf.get_variable("b", initializer=vals[1])
        c = tf.constant(vals[2], name="c")
        with fn(scope2):
            d = tf.add(a * b, c, name="res")
        print("\n  ".join([scope1, a.name, b.name, c.name, d.name]))
    return d


def my_sum(a, b, name=None):
    """An op-building function with TF's (name, default_name, values) convention."""
    with tf.name_scope(name, "mysum", [a, b]):
        v = tf.get_variable("v", 1)                  # not prefixed: "v:0"
        v2 = tf.Variable([0], name="v2")             # prefixed: "mysum/v2:0"
        print(v.name, v2.name)
        return tf.add(a, b)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="(already quick)")
    parser.parse_args(argv)

    with tf.name_scope("my_scope"):
        v1 = tf.get_variable("var1", [1], dtype=tf.float32)
        v2 = tf.Variable(1, name="var2", dtype=tf.float32)
        a = tf.add(v1, v2)
    print(v1.name, v2.name, a.name)      # var1:0 my_scope/var2:0 my_scope/Add:0

    with tf.variable_scope("my_scope2"):
        v1 = tf.get_variable("var1", [1], dtype=tf.float32)
        v2 = tf.Variable(1, name="var2", dtype=tf.float32)
        a = tf.add(v1, v2)
    print(v1.name, v2.name, a.name)      # my_scope2/var1:0 my_scope2/var2:0 my_scope2/Add:0

    with tf.name_scope("foo"):
        with tf.variable_scope("var_scope"):
            v = tf.get_variable("var", [1])
    with tf.name_scope("bar"):
        with tf.variable_scope("var_scope", reuse=True):
            v1 = tf.get_variable("var", [1])
    print(v1 is v, v.name)               # True var_scope/var:0

    d1 = scoping(tf.variable_scope, "scope_vars", "res", [1, 2, 3])
    d2 = scoping(tf.name_scope, "scope_name", "res", [1, 2, 3])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print(sess.run([d1, d2]))        # [5, 5]

    with tf.Graph().as_default():        # a fresh graph: no "foo" name scope yet
        with tf.variable_scope("foo"):
            x = 1.0 + tf.get_variable("v", [1])
            with tf.name_scope("bar"):
                y = 1.0 + tf.get_variable("w", [1])
        print(x.op.name, y.op.name)      # foo/add foo/bar/add

    with tf.name_scope("ns"):
        with tf.variable_scope("vs"):
            v1 = tf.get_variable("v1", [1])
            v2 = tf.Variable([2.0], name="v2")
            v3 = v1 + v2
    print(v1.name, v2.name, v3.name)     # vs/v1:0 ns/vs/v2:0 ns/vs/add:0

    with tf.Graph().as_default():
        op = my_sum(tf.Variable(1), tf.Variable(2))
        print(op.name)                   # mysum/Add:0


if __name__ == "__main__":
    main()
