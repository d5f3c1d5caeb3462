"""tf.app.flags and tf.app.run: command-line flags the TF1 way.

``tf.app.run()`` parses the defined flags out of ``sys.argv`` and calls ``main(argv)`` with
what is left; ``FLAGS.name`` reads a flag.

Run: python examples/flags_app.py [--quick] [--self_test] [--use_fp16] [--learning_rate 0.1]
"""
import tensorslim as tf

tf.app.flags.DEFINE_boolean("self_test", False, "True if running a self test.")
tf.app.flags.DEFINE_boolean("use_fp16", False, "Use half floats instead of full floats if True.")
tf.app.flags.DEFINE_float("learning_rate", 0.01, "Initial learning rate.")
tf.app.flags.DEFINE_string("name", "world", "Who to greet.")
tf.app.flags.DEFINE_boolean("quick", False, "(already quick)")
FLAGS = tf.app.flags.FLAGS


def main(argv):
    dtype = tf.float16 if FLAGS.use_fp16 else tf.float32
    print("self_test=%s use_fp16=%s learning_rate=%g name=%s" % (
        FLAGS.self_test, FLAGS.use_fp16, FLAGS.learning_rate, FLAGS.name))
    print("unparsed arguments:", argv[1:])
    with tf.Session() as sess:
        print(sess.run(tf.constant(FLAGS.learning_rate, dtype=dtype) * 2))


if __name__ == "__main__":
    tf.app.run()
