/**
 * A small XML well-formedness check for the JUnit report (no XML parser among the dependencies): one root, tags
 * balanced and properly nested, attributes quoted and unique, only the five predefined or numeric entities, no
 * raw `<` or `&` in text.
 */
export const checkXml = (xml: string): void => {
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, "")
  const stack: Array<string> = []
  let roots = 0
  const fail = (message: string): never => {
    throw new Error(`not well-formed XML: ${message} near ${JSON.stringify(rest.slice(0, 80))}`)
  }
  const checkText = (text: string) => {
    if (text.includes("<")) fail("raw < in text")
    const amp = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(text)
    if (amp !== null) fail("bare &")
  }
  while (rest.length > 0) {
    const lt = rest.indexOf("<")
    if (lt === -1) {
      if (rest.trim() !== "") fail("text after the root")
      break
    }
    const text = rest.slice(0, lt)
    if (stack.length === 0 && text.trim() !== "") fail("text outside the root")
    checkText(text)
    rest = rest.slice(lt)
    const m = /^<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>/.exec(rest)
    if (m === null) fail("malformed tag")
    const [whole, close, name, attrs, selfClose] = m!
    const names = [...(attrs ?? "").matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)].map((a) => {
      checkText(a[2] ?? "")
      return a[1]
    })
    if (new Set(names).size !== names.length) fail("duplicate attribute")
    if (close === "/") {
      if (stack.pop() !== name) fail(`unexpected </${name}>`)
    } else if (selfClose !== "/") {
      if (stack.length === 0) roots++
      stack.push(name)
    } else if (stack.length === 0) roots++
    rest = rest.slice(whole.length)
  }
  if (stack.length > 0) fail(`unclosed <${stack.join("> <")}>`)
  if (roots !== 1) fail(`${roots} root elements`)
}
