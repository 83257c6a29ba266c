# client/engine.mk: the SPICE client engine (libscclient)
