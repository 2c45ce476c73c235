"""The embedded AWS lab (moto) with named scenarios; needs the ``lab`` extra."""
