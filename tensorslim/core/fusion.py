"""Kernel fusion when a plan is compiled (what TF's grappler "remapper" does for its kernels).

Some chains of ops cost far more as separate kernels than as one on a CPU whose memory
bandwidth, not arithmetic, bounds elementwise work: each kernel is another full pass over a
large activation. When a plan is compiled, :func:`plan_units` finds such chains among the ops
the run needs and replaces each by one fused step:

* ``Conv2D -> BiasAdd [-> Relu [-> MaxPool]]``: the bias add, the ReLU and the pooling run
  on each block of the convolution's output right after its GEMM, while the block is in
  cache (``kernels.nn.conv2d_bias_activation``). The ReLU's output, which the gradients
  read, is an output of the step as well as the pooled one.
* ``MaxPoolGrad -> ReluGrad`` where the ReLU's output is what was pooled: the gradient only
  reaches window maxima, which are pooled values, so masking the pooled gradient by
  ``pooled > 0`` before routing it is the same as masking the routed gradient afterwards,
  on a tensor a quarter (for 2x2 windows) of the size.

A chain is fused only when its inner tensors are used by nothing else: not fetched, not fed,
no other consumer, no control edge from an inner op, all on one device, and no ``tf.cond``
in the plan. The graph itself is not changed (GraphDefs, the debugger and error messages see
the ops the user built), fused results are the same values as unfused ones, and an error
raised inside a fused step is raised again by running its ops one by one, so that it names
the op that failed. ``ConfigProto(graph_options=GraphOptions(optimizer_options=
OptimizerOptions(opt_level=OptimizerOptions.L0)))`` turns fusion off.
"""
from tensorslim.core import errors

__all__ = ["Group", "plan_units"]


class Group:
    """A chain of ops run as one fused step.

    Attributes:
      ops: the member ops, in execution order.
      inputs: ``(tensor, member_op, input_index)`` for each distinct tensor the chain reads
        from outside (the first member and index that read it).
      outputs: the tensors the step produces (by default the last op's outputs).
      anchor: the member where the step runs in the plan (by default the last); every
        input must be computed before it, and no output may be used before it.
      fused: ``fused(ctxs, *input_values) -> value`` (a tuple for several outputs), with one
        KernelContext per member.
    """

    __slots__ = ("ops", "inputs", "outputs", "fused", "anchor")

    def __init__(self, ops, fused, outputs=None, anchor=None):
        self.ops = ops
        self.fused = fused
        self.anchor = ops[-1] if anchor is None else anchor
        inner = set()
        for op in ops:
            inner.update(op._outputs)
        self.inputs = []
        seen = set()
        for op in ops:
            for i, t in enumerate(op._inputs):
                if t not in inner and t not in seen:
                    seen.add(t)
                    self.inputs.append((t, op, i))
        self.outputs = list(ops[-1]._outputs if outputs is None else outputs)

    def make_kernel(self, ctxs):
        """The step's kernel: the fused computation, with exact errors from the members."""
        fused = self.fused
        members = self.ops
        inputs = self.inputs

        def kernel(_ctx, *args):
            try:
                return fused(ctxs, *args)
            except Exception as e:  # noqa: BLE001 - re-raised below, attributed to its op
                _raise_unfused(members, ctxs, inputs, args, e)
        return kernel


def _raise_unfused(members, ctxs, inputs, args, fused_error):
    """Runs the members one by one so that the failing op raises, as it would unfused."""
    values = {}
    for (t, _, _), v in zip(inputs, args):
        values[t] = v
    for op, ctx in zip(members, ctxs):
        # The error names its op; Plan.run adds the node and location, as for any op.
        try:
            res = op._op_def.kernel(ctx, *[values[t] for t in op._inputs])
        except errors.OpError as e:
            if e.op is None:
                raise type(e)(None, op, e.message) from None
            raise
        except (ValueError, TypeError, IndexError, ArithmeticError, KeyError) as e:
            raise errors.InvalidArgumentError(None, op, str(e)) from e
        outs = op._outputs
        if len(outs) == 1:
            values[outs[0]] = res
        else:
            for t, r in zip(outs, res):
                values[t] = r
    raise fused_error


class _Uses:
    """Who uses each tensor among the ops of a plan: what patterns ask before fusing."""

    def __init__(self, needed_ops, fed, fetched, devices):
        self._fed = fed
        self._fetched = fetched
        self._devices = devices
        self._consumers = {}
        self._control_sources = set()
        for op in needed_ops:
            for i, t in enumerate(op._inputs):
                self._consumers.setdefault(t, []).append((op, i))
            self._control_sources.update(op._control_inputs)

    def consumers(self, t):
        """``(op, input_index)`` for each use of ``t`` in the plan."""
        return self._consumers.get(t, ())

    def same_device(self, a, b):
        return self._devices.get(a) is self._devices.get(b)

    def fed(self, t):
        return t in self._fed

    def sole(self, t):
        """The one ``(op, index)`` using ``t``, if ``t`` may stay inside a fused step: not
        fed or fetched, one consumer on its producer's device, no control edge from its op."""
        if t in self._fed or t in self._fetched or t.op in self._control_sources:
            return None
        uses = self.consumers(t)
        if len(uses) != 1 or not self.same_device(uses[0][0], t.op):
            return None
        return uses[0]


def plan_units(needed_ops, fed, fetched, devices):
    """Groups ``needed_ops`` (topologically ordered) into execution units.

    Returns:
      A list, in execution order, of Operations (run alone) and :class:`Group` s.
    """
    uses = _Uses(needed_ops, fed, fetched, devices)
    group_of = {}
    for op in needed_ops:
        if op in group_of:
            continue
        for match in _PATTERNS:
            group = match(op, uses)
            if group is not None and not any(m in group_of for m in group.ops):
                for m in group.ops:
                    group_of[m] = group
                break
    units = []
    for op in needed_ops:
        group = group_of.get(op)
        if group is None:
            units.append(op)
        elif op is group.anchor:
            units.append(group)
    return units


# --------------------------------------------------------------------------- patterns

def _attr(op, name, default=None):
    value = op._attrs.get(name, default)
    return value.decode() if isinstance(value, bytes) else value


def _float_op(op):
    dtype = op._attrs.get("T")
    return dtype is not None and getattr(dtype, "is_floating", False)


def _conv_bias_relu_chain(op, uses):
    """The ops of a ``Conv2D -> BiasAdd [-> Relu]`` chain starting at ``op``, or None."""
    if op.type != "Conv2D" or not _float_op(op):
        return None
    use = uses.sole(op._outputs[0])
    if use is None or use[0].type != "BiasAdd" or use[1] != 0:
        return None
    bias_add = use[0]
    if _attr(bias_add, "data_format", "NHWC") != _attr(op, "data_format", "NHWC"):
        return None
    ops = [op, bias_add]
    use = uses.sole(bias_add._outputs[0])
    if use is not None and use[0].type == "Relu":
        ops.append(use[0])
    return ops


def _conv_fused(activation, pool_op=None):
    def fused(ctxs, x, w, bias):
        from tensorslim.core.kernels import nn as _k
        from tensorslim.core.ops.nn_ops import _conv_kernel_args, _pool_args
        pool = None
        if pool_op is not None:
            ksize, strides, padding, _ = _pool_args(ctxs[-1].attrs)
            pool = (ksize, strides, padding)
        return _k.conv2d_bias_activation(ctxs[0].xp, x, w, bias,
                                         *_conv_kernel_args(ctxs[0].attrs),
                                         activation=activation, pool=pool)
    return fused


def _conv_bias_relu(op, uses):
    """``Conv2D -> BiasAdd [-> Relu]``."""
    ops = _conv_bias_relu_chain(op, uses)
    if ops is None:
        return None
    return Group(ops, _conv_fused("Relu" if len(ops) == 3 else None))


def _conv_bias_relu_pool(op, uses):
    """``Conv2D -> BiasAdd -> Relu -> MaxPool``; the ReLU's output (which the gradients
    also read) and the pooled output both come out of the step, which runs where the Relu
    did."""
    ops = _conv_bias_relu_chain(op, uses)
    if ops is None or len(ops) != 3:
        return None
    relu = ops[2]
    relu_out = relu._outputs[0]
    if uses.fed(relu_out):
        return None
    for user, index in uses.consumers(relu_out):
        if user.type == "MaxPool" and index == 0 and not user._control_inputs and \
                _attr(user, "data_format", "NHWC") == _attr(op, "data_format", "NHWC") \
                and uses.same_device(user, relu):
            return Group(ops + [user], _conv_fused("Relu", user),
                         outputs=[relu_out, user._outputs[0]], anchor=relu)
    return None


def _max_pool_grad_relu_grad(op, uses):
    """``ReluGrad(MaxPoolGrad(r, pooled, dy), r)`` with ``r`` a Relu's output."""
    if op.type != "MaxPoolGrad" or not _float_op(op):
        return None
    relu_out = op._inputs[0]
    if relu_out.op.type != "Relu":
        return None
    use = uses.sole(op._outputs[0])
    if use is None or use[0].type != "ReluGrad" or use[1] != 0 or \
            use[0]._inputs[1] is not relu_out:
        return None
    relu_grad = use[0]

    def fused(ctxs, r, pooled, dy):
        pool_ctx, relu_ctx = ctxs
        xp = pool_ctx.xp
        if pooled.shape != dy.shape or bool(xp.isnan(pooled).any()):
            # A NaN maximum routes its gradient to a window element that need not be the
            # pooled value; shape errors are reported by the unfused kernels.
            return _unfused(ctxs, (op, relu_grad), r, pooled, dy)
        masked = relu_grad._op_def.kernel(relu_ctx, dy, pooled)
        return op._op_def.kernel(pool_ctx, r, pooled, masked)
    return Group([op, relu_grad], fused)


def _unfused(ctxs, ops, r, pooled, dy):
    pool_ctx, relu_ctx = ctxs
    dx = ops[0]._op_def.kernel(pool_ctx, r, pooled, dy)
    return ops[1]._op_def.kernel(relu_ctx, dx, r)


_PATTERNS = (_conv_bias_relu_pool, _conv_bias_relu, _max_pool_grad_relu_grad)
