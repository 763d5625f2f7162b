/**
 * The source article's words that the errata page answers, quoted as the article has them (its
 * LaTeX shown as plain text). test/site/errata-quotes.test.ts checks each against the article.
 */
export const QUOTES = {
  weights: ['每个时钟周期，LLM对输入文本进行处理，生成中间结果，并更新模型参数。', '计算梯度下降方向，并更新模型参数。'],
  softmax: ['自注意力权重 = softmax([0.1, 0.2, 0.3, 0.4]) = [0.2, 0.3, 0.3, 0.2]'],
  attention: ['自注意力权重 = softmax(Q ⊙ K)', 'h_t = [0.2, 0.3, 0.3, 0.2] ⊙ [x_1, x_2, x_3, x_4] = [0.2 × 0.1, 0.3 × 0.2, 0.3 × 0.3, 0.2 × 0.4]'],
  special: ['使用tokenizer将输入文本转换为词ID序列，并添加起始符和终止符。'],
  count: ['x_1 = 我，x_2 = 喜欢，x_3 = 编程'],
  code: ['model = TFGPTLMHeadModel.from_pretrained(model_name)', 'output = model.generate(input_ids, max_length=20, num_return_sequences=1)', '这里我们设置max_length为20，表示生成的文本长度不超过20个词', '我喜欢编程，因为编程是一种有趣的活动。'],
  formula: ['输出 = f(输入 ⊙ 隐藏状态 + 模型参数)', '其中，f 表示激活函数，⊙ 表示注意力权重计算。'],
} as const;

/** The English edition's translation of each claim's quotes (the Chinese edition shows the quotes alone). */
export const TRANSLATIONS: Record<keyof typeof QUOTES, string> = {
  weights: '“In each clock cycle, the LLM processes the input text, produces intermediate results, and updates the model parameters.” / “Compute the direction of gradient descent and update the model parameters.”',
  softmax: '“Self-attention weights = softmax([0.1, 0.2, 0.3, 0.4]) = [0.2, 0.3, 0.3, 0.2]”',
  attention: '“Self-attention weights = softmax(Q ⊙ K)” / “h_t = [0.2, 0.3, 0.3, 0.2] ⊙ [x_1, x_2, x_3, x_4] = [0.2 × 0.1, 0.3 × 0.2, 0.3 × 0.3, 0.2 × 0.4]”',
  special: '“Use the tokenizer to turn the input text into a sequence of word IDs, and add a start token and an end token.”',
  count: '“x_1 = 我 (I), x_2 = 喜欢 (like), x_3 = 编程 (programming)”',
  code: '“Here we set max_length to 20, meaning the generated text is no longer than 20 words.” / and the output it says the code prints: “I like programming, because programming is a fun activity.”',
  formula: '“Output = f(input ⊙ hidden state + model parameters)” / “where f is the activation function and ⊙ is the attention-weight computation.”',
};

export type Claim = keyof typeof QUOTES;
export const CLAIMS = Object.keys(QUOTES) as Claim[];

/** A quote or the article's text with its LaTeX, backticks and spaces taken out, for comparing. */
export function plain(s: string): string {
  return s
    .replace(/\\text\{([^}]*)\}/g, '$1')
    .replace(/\\odot/g, '⊙')
    .replace(/\\times/g, '×')
    .replace(/[$`\s]/g, '');
}
