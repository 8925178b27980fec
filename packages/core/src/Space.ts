// placeholder: replaced by its owner
export {}
