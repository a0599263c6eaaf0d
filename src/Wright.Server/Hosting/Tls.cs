using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Wright.Core.Errors;

namespace Wright.Server.Hosting;

/// <summary>Loads the HTTPS certificate given to `wright serve` as PEM files.</summary>
internal static class Tls
{
    public static X509Certificate2? LoadCertificate(ServerOptions options)
    {
        if (!options.UsesHttps)
        {
            return null;
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(options.TlsCertificatePath!, options.TlsKeyPath);

            // Kestrel needs the key in a form the TLS stack can use: a PKCS#12 round trip gives
            // an exportable, persisted key on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new WrightException(
                ErrorKind.Invalid,
                ErrorCodes.TlsCertificateInvalid,
                $"--tls-cert {options.TlsCertificatePath} with --tls-key {options.TlsKeyPath} could not be loaded as a PEM certificate and private key: {ex.Message}");
        }
    }
}
