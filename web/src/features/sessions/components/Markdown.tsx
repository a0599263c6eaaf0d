import { memo } from 'react';
import ReactMarkdown, { defaultUrlTransform, type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

/**
 * Model output rendered as Markdown with GFM. The model's text is untrusted: raw HTML in it is
 * dropped (never parsed into elements), links only keep safe schemes and open in a new tab without
 * a referrer, and images are never fetched (a remote image would leave for another host), shown as
 * their text instead.
 */
const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
  img: ({ alt, src }) => <span className="md-image">[image: {alt || (typeof src === 'string' ? src : '')}]</span>,
};

function safeUrl(url: string): string {
  const value = defaultUrlTransform(url);
  return value.startsWith('data:') ? '' : value;
}

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} skipHtml urlTransform={safeUrl} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
