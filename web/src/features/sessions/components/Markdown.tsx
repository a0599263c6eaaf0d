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

/**
 * Splits Markdown into its top-level blocks at blank lines outside code fences. A streamed answer
 * grows at its end, so rendering block by block re-parses only the last block on each update
 * instead of the whole answer (which made a long answer quadratic). Text with link reference
 * definitions stays whole, since a definition in one block serves links in another.
 */
export function markdownBlocks(text: string): string[] {
  if (/^ {0,3}\[[^\]]+\]:\s/m.test(text)) return [text];
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) {
      if (fence === null) fence = marker[0]!.repeat(marker.length);
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    }
    if (fence === null && line.trim() === '' && !marker) {
      if (current.length > 0) blocks.push(current.join('\n'));
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) blocks.push(current.join('\n'));
  return blocks;
}

const MarkdownBlock = memo(function MarkdownBlock({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={[remarkGfm]} skipHtml urlTransform={safeUrl} components={components}>
      {text}
    </ReactMarkdown>
  );
});

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      {markdownBlocks(text).map((block, i) => (
        <MarkdownBlock key={i} text={block} />
      ))}
    </div>
  );
});
