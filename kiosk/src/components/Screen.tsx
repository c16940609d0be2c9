import { type ReactNode, useId, useLayoutEffect, useRef } from 'react';

type Props = {
  title: ReactNode;
  children?: ReactNode;
  /** Where focus goes when the screen appears: its heading (default) or its first field. */
  focus?: 'heading' | 'field';
  /** Shown as "Start over" on every screen but Welcome and the device screens. */
  onStartOver?: () => void;
};

/** One kiosk screen: a heading that takes focus when the screen appears, the content, and "Start over". */
export function Screen({ title, children, focus = 'heading', onStartOver }: Props) {
  const id = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const field = focus === 'field' ? bodyRef.current?.querySelector<HTMLElement>('input:not([disabled])') : null;
    (field ?? headingRef.current)?.focus();
  }, [focus]);
  return (
    <section className="screen" aria-labelledby={id}>
      <h1 id={id} ref={headingRef} tabIndex={-1}>
        {title}
      </h1>
      <div className="screen-body" ref={bodyRef}>
        {children}
      </div>
      {onStartOver && (
        <button type="button" className="button secondary start-over" onClick={onStartOver}>
          Start over
        </button>
      )}
    </section>
  );
}
