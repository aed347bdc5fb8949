"""Create a demo certificate authority and a PKCS#12 certificate for one signer.

For demonstrations and tests only: a real agency signs with BSrE certificates. Files written to
DIRECTORY (names fixed so scripts can find them):

- ``sopflow-demo-ca.crt``: the CA certificate (PEM), what ``verify_pdf`` may be given as trust root;
- ``sopflow-demo-ca.key``: its private key, PEM encrypted with the passphrase (reused next time);
- ``signer-<slug>.p12``: the signer's key and certificate chain, encrypted with the passphrase.

The passphrase is asked twice with getpass, or read from ``--passphrase-file``; it is never printed.
"""

import datetime
import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify
from django.utils.translation import gettext as _

CA_CERT, CA_KEY = "sopflow-demo-ca.crt", "sopflow-demo-ca.key"
VALID_DAYS = 3 * 365


def signer_file_name(name):
    return f"signer-{slugify(name) or 'penandatangan'}.p12"


def _name(common_name, organisation):
    from cryptography.x509.oid import NameOID
    from cryptography import x509

    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
    ])


def make_ca(organisation, now=None):
    """A self-signed CA (key, certificate) for demonstrations."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = now or datetime.datetime.now(datetime.timezone.utc)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _name(_("SOPFlow Demo CA (bukan untuk produksi)"), organisation)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_signer(ca_key, ca_cert, signer_name, organisation, now=None):
    """A signing certificate for ``signer_name`` issued by the demo CA (key, certificate)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID

    now = now or datetime.datetime.now(datetime.timezone.utc)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder().subject_name(_name(signer_name, organisation)).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # Document signing needs digitalSignature and nonRepudiation (contentCommitment).
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def pkcs12_bytes(key, cert, ca_cert, signer_name, passphrase):
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    return pkcs12.serialize_key_and_certificates(
        signer_name.encode("utf-8")[:64], key, cert, [ca_cert], BestAvailableEncryption(passphrase.encode("utf-8"))
    )


def _write_new(path, data, mode=0o600):
    # Exclusive creation: an existing certificate is never replaced behind its owner's back.
    with open(path, "xb") as handle:
        handle.write(data)
    path.chmod(mode)


class Command(BaseCommand):
    help = _("Membuat CA demo dan sertifikat PKCS#12 untuk satu penandatangan (hanya untuk demo/uji).")

    def add_arguments(self, parser):
        parser.add_argument("directory", help=_("folder tujuan berkas sertifikat"))
        parser.add_argument("--signer", required=True, help=_("nama penandatangan (Common Name)"))
        parser.add_argument("--organisation", default="SOPFlow Demo", help=_("nama instansi pada sertifikat"))
        parser.add_argument("--passphrase-file", help=_("berkas berisi passphrase (baris pertama)"))

    def _passphrase(self, options):
        if options["passphrase_file"]:
            try:
                text = Path(options["passphrase_file"]).read_text(encoding="utf-8").splitlines()
            except OSError:
                raise CommandError(_("Berkas passphrase tidak dapat dibaca.")) from None
            passphrase = text[0] if text else ""
        else:
            passphrase = getpass.getpass(_("Passphrase baru: "))
            if getpass.getpass(_("Ulangi passphrase: ")) != passphrase:
                raise CommandError(_("Kedua passphrase tidak sama."))
        if len(passphrase) < 8:
            raise CommandError(_("Passphrase minimal 8 karakter."))
        return passphrase

    def handle(self, *args, **options):
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        directory = Path(options["directory"])
        directory.mkdir(parents=True, exist_ok=True)
        signer_path = directory / signer_file_name(options["signer"])
        if signer_path.exists():
            raise CommandError(_("%(file)s sudah ada; tidak ditimpa.") % {"file": signer_path})
        passphrase = self._passphrase(options)
        ca_cert_path, ca_key_path = directory / CA_CERT, directory / CA_KEY
        if ca_cert_path.exists() and ca_key_path.exists():
            ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
            try:
                ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), passphrase.encode("utf-8"))
            except (ValueError, TypeError):
                raise CommandError(_("Passphrase tidak cocok dengan kunci CA demo yang sudah ada.")) from None
            created_ca = False
        else:
            ca_key, ca_cert = make_ca(options["organisation"])
            _write_new(ca_cert_path, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
            _write_new(ca_key_path, ca_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(passphrase.encode("utf-8"))))
            created_ca = True
        key, cert = make_signer(ca_key, ca_cert, options["signer"], options["organisation"])
        _write_new(signer_path, pkcs12_bytes(key, cert, ca_cert, options["signer"], passphrase))
        if created_ca:
            self.stdout.write(_("CA demo dibuat: %(file)s") % {"file": ca_cert_path})
        self.stdout.write(_("Sertifikat penandatangan dibuat: %(file)s") % {"file": signer_path})
