"""The python3 example image's application: prints who runs it and where."""
import getpass
import os
import ssl
import sys

print(f"hello from python {sys.version_info.major}.{sys.version_info.minor} as {getpass.getuser()} in {os.getcwd()}")
print(f"TLS: {ssl.OPENSSL_VERSION}")
