"""The classic Keras MLP VAE, written the Keras 3 way (no symbolic ``add_loss``)."""

import math

import keras
from keras import layers, ops

from vaestudy.losses import DEFAULT, DEFINITIONS, IMAGE_PIXELS, VARIANCE_FLOOR

# Keras dtype policy of the large layers per `precision`; "bfloat16" (opt-in) computes the
# 784x512 and 512x784 products in bfloat16, keeps variables, the latent heads and the sigmoid
# output in float32.
POLICIES = {"float32": None, "bfloat16": "mixed_bfloat16"}


class Sampling(layers.Layer):
    """Reparameterised draw z = mean + exp(log_var / 2) * eps, from a seeded generator."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        # a fixed name, so checkpoints find its state by name in any process
        self.seed_generator = keras.random.SeedGenerator(seed, name="sampling_seed")

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = standard_normal(ops.shape(z_mean), self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps


def standard_normal(shape, seed_generator):
    """keras.random.normal(shape, seed=seed_generator): the same draws (tested) by the same
    TensorFlow ops, with an optimisation barrier after the key and counter are derived from
    the seed. Without it XLA fuses that derivation (ten Philox rounds) into the draw and
    repeats it for every number (bench/README.md has the cost)."""
    import tensorflow as tf
    from tensorflow.compiler.tf2xla.python.xla import optimization_barrier

    seed = seed_generator.next()
    if seed.dtype != tf.int32:  # as Keras casts its int64 state for TensorFlow's ops
        seed = tf.cast(tf.math.floormod(seed, tf.int32.max - 1), tf.int32)
    key, counter = tf.raw_ops.StatelessRandomGetKeyCounter(seed=seed)
    key, counter = optimization_barrier(key, counter)
    alg = tf.random.Algorithm.AUTO_SELECT.value
    return tf.raw_ops.StatelessRandomNormalV2(shape=shape, key=key, counter=counter, alg=alg)


def build_encoder(latent_dim, intermediate_dim, precision="float32"):
    """784 -> intermediate (relu) -> (z_mean, z_log_var), each latent_dim wide."""
    x = keras.Input(shape=(IMAGE_PIXELS,), name="encoder_input")
    h = layers.Dense(
        intermediate_dim, activation="relu", name="encoder_hidden", dtype=POLICIES[precision]
    )(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(h)
    return keras.Model(x, [z_mean, z_log_var], name="encoder")


def build_decoder(latent_dim, intermediate_dim, precision="float32"):
    """latent_dim -> intermediate (relu) -> 784 logits (in float32).

    The pixels are Bernoulli(sigmoid(logits)); the reconstruction loss is computed from the
    logits, unclipped, and the images are sigmoid(logits).
    """
    policy = POLICIES[precision]
    z = keras.Input(shape=(latent_dim,), name="z")
    h = layers.Dense(intermediate_dim, activation="relu", name="decoder_hidden", dtype=policy)(z)
    logits = layers.Dense(IMAGE_PIXELS, name="decoder_output", dtype=policy)(h)
    if policy is not None:
        logits = layers.Activation("linear", dtype="float32", name="decoder_float32")(logits)
    return keras.Model(z, logits, name="decoder")


def reconstruction_loss(x, logits, definition=DEFINITIONS[DEFAULT], variance=None):
    """Per image: the reconstruction term of a loss definition (losses.py), from the decoder's
    logits, without clipping; the published one is 784 * mean binary cross-entropy."""
    mean = definition.likelihood.mean_pixel_loss(x, logits, variance)
    return mean if definition.pixels == "mean" else IMAGE_PIXELS * mean


def kl_divergence(z_mean, z_log_var, definition=DEFINITIONS[DEFAULT]):
    """Per image: KL(N(mean, exp(log_var)) || N(0, I)) in closed form, summed over the latent
    dimensions, or their mean where the definition says so."""
    terms = 1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var)
    reduce = ops.mean if definition.latents == "mean" else ops.sum
    return -0.5 * reduce(terms, axis=-1)


class DecoderVariance(layers.Layer):
    """The learned variance of a Gaussian decoder, one for every pixel: VARIANCE_FLOOR +
    exp(w), starting at 1/2 (the fixed-variance definition's)."""

    def build(self, input_shape=None):
        start = math.log(0.5 - VARIANCE_FLOOR)
        self.excess = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(start), name="log_excess"
        )
        self.built = True

    def call(self, inputs=None):
        return VARIANCE_FLOOR + ops.exp(self.excess)


class VAE(keras.Model):
    """Encoder, sampler and decoder trained on reconstruction + kl_coefficient * KL."""

    def __init__(
        self,
        latent_dim=2,
        intermediate_dim=512,
        kl_coefficient=1.0,
        seed=None,
        precision="float32",
        loss=DEFAULT,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        self.intermediate_dim = intermediate_dim
        self.kl_coefficient = float(kl_coefficient)
        self.precision = precision
        self.definition = DEFINITIONS[loss]
        self.encoder = build_encoder(latent_dim, intermediate_dim, precision)
        self.decoder = build_decoder(latent_dim, intermediate_dim, precision)
        self.sampler = Sampling(seed=seed, name="sampling")
        self.variance_layer = None
        if self.definition.likelihood.learned:
            self.variance_layer = DecoderVariance(name="decoder_variance")
            self.variance_layer.build()

    def build(self, input_shape=None):
        """Encoder and decoder are functional models, built on construction."""
        self.built = True

    def variance(self):
        """The decoder's learned variance as a tensor; None where it is not learned."""
        return None if self.variance_layer is None else self.variance_layer()

    def decoder_variance(self):
        """The decoder's variance as a number: learned, fixed, or None (Bernoulli)."""
        if self.variance_layer is not None:
            return float(self.variance_layer())
        return self.definition.likelihood.variance

    def log_likelihood(self):
        """The decoder's log p(x | z) as evaluation.decoder_log_likelihood compiles it."""
        from vaestudy.evaluation import decoder_log_likelihood

        return decoder_log_likelihood(
            self.decoder, self.definition.likelihood, self.decoder_variance()
        )

    def load_initial(self, path):
        """Load a latent dimension's shared initial weights (saved from a VAE without a
        learned variance): encoder, decoder and sampler; a learned variance starts at 1/2."""
        if self.variance_layer is None:
            self.load_weights(path)
            return
        shared = VAE(self.latent_dim, self.intermediate_dim, precision=self.precision)
        shared.build()
        shared.load_weights(path)
        saved = {variable.path: variable for variable in shared.variables}
        learned = {variable.path for variable in self.variance_layer.variables}
        own = [v for v in self.variables if v.path not in learned]
        if sorted(v.path for v in own) != sorted(saved):
            raise ValueError(f"{path} does not hold this VAE's encoder, decoder and sampler")
        for variable in own:
            variable.assign(saved[variable.path])

    def call(self, x, training=False):
        """Pixel probabilities of the reconstruction of x, through one sampled z."""
        z_mean, z_log_var = self.encoder(x, training=training)
        return ops.sigmoid(self.decoder(self.sampler([z_mean, z_log_var]), training=training))

    def loss_terms(self, x, training=False):
        """Batch means of (loss, reconstruction, KL) with one sampled z per image;
        loss = reconstruction + c * KL."""
        z_mean, z_log_var = self.encoder(x, training=training)
        logits = self.decoder(self.sampler([z_mean, z_log_var]), training=training)
        variance = self.variance()
        reconstruction = ops.mean(reconstruction_loss(x, logits, self.definition, variance))
        kl = ops.mean(kl_divergence(z_mean, z_log_var, self.definition))
        return reconstruction + self.kl_coefficient * kl, reconstruction, kl

    def train_batch(self, x, fused=False):
        """One optimiser step on a batch, by Keras's update (which XLA fuses) or, if fused,
        fused_adam (for a TensorFlow graph); returns the batch's (loss, reconstruction, KL)."""
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss, reconstruction, kl = self.loss_terms(x, training=True)
        grads = tape.gradient(loss, self.trainable_weights)
        if fused:
            fused_adam(self.optimizer, grads, self.trainable_weights)
        else:
            self.optimizer.apply(grads, self.trainable_weights)
        return loss, reconstruction, kl


def fused_adam(optimizer, grads, variables):
    """Keras's Adam update (optimizer: a built keras.optimizers.Adam) as TensorFlow's fused
    kernel, ResourceApplyAdam: one pass over each variable, its two moments and its gradient.
    In a TensorFlow graph (graph_epoch: bfloat16 on AMX or AVX512-BF16) Keras's update_step
    runs as a dozen kernels per variable that read and write them several times, which cost
    more than the products bfloat16 saves (bench/README.md). The same formula and state, so
    checkpoints are unchanged; its float32 arithmetic takes 1 - beta_2 as 0.000999987 where
    Keras takes 0.001, so an update agrees with Keras's to 1e-4 (tested), not to the last
    bit."""
    import tensorflow as tf

    def constant(value):
        return tf.constant(float(value), tf.float32)

    beta_1, beta_2 = constant(optimizer.beta_1), constant(optimizer.beta_2)
    epsilon = constant(optimizer.epsilon)
    step = tf.cast(optimizer.iterations + 1, tf.float32)
    powers = {"beta1_power": tf.pow(beta_1, step), "beta2_power": tf.pow(beta_2, step)}
    learning_rate = tf.cast(optimizer.learning_rate, tf.float32)
    for variable, grad in zip(variables, grads, strict=True):
        index = optimizer._get_variable_index(variable)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.value.handle,
            m=optimizer._momentums[index].value.handle,
            v=optimizer._velocities[index].value.handle,
            lr=learning_rate,
            beta1=beta_1,
            beta2=beta_2,
            epsilon=epsilon,
            grad=tf.cast(grad, tf.float32),
            **powers,
        )
    optimizer.iterations.assign_add(1)


def build_vae(
    latent_dim,
    intermediate_dim,
    kl_coefficient,
    seed,
    learning_rate=1e-3,
    precision="float32",
    loss=DEFAULT,
):
    """A compiled VAE whose variables (weights, optimiser, RNG state) all exist;
    kl_coefficient is the loss definition's own (typed) c."""
    keras.utils.set_random_seed(seed)
    vae = VAE(
        latent_dim, intermediate_dim, kl_coefficient, seed=seed, precision=precision, loss=loss
    )
    vae.build((None, IMAGE_PIXELS))
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate, name="adam"))
    vae.optimizer.build(vae.trainable_weights)
    return vae


def model_settings(settings, latent_dim, coefficient, seed, loss=DEFAULT):
    """The arguments of build_vae for one model of the study, from the config's
    config.MODEL_KEYS (a rule's params) and the job's wildcards (its level's latent
    dimension and loss definition, its canonical coefficient and its seed): the model
    trains at the coefficient its definition needs (losses.Definition.typed)."""
    return {
        "latent_dim": int(latent_dim),
        "intermediate_dim": settings["intermediate_dim"],
        "kl_coefficient": DEFINITIONS[loss].typed(coefficient, int(latent_dim)),
        "seed": int(seed),
        "learning_rate": settings["learning_rate"],
        "precision": settings["precision"],
        "loss": loss,
    }


def job_vae(settings, wildcards, weights):
    """The VAE of one job's wildcards (level, coefficient and seed: a mapping) and the
    config's model settings (a rule's params), with the weights file loaded: (vae, its
    settings)."""
    model = model_settings(
        settings,
        wildcards["latent_dim"],
        wildcards["coefficient"],
        wildcards["seed"],
        wildcards["loss"],
    )
    vae = build_vae(**model)
    vae.load_weights(weights)
    return vae, model
