# codecs/local.mk
